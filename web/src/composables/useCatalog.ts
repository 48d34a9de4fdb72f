import { computed } from 'vue';
import { listPlans } from '../api/operations';
import { listRepositories } from '../api/repositories';
import type { Plan, Repository } from '../api/types';
import { useResource } from './useResource';

/** Repositories and plans by id, for pages that show names next to ids. */
export function useCatalog() {
  const repositories = useResource<Repository[]>(listRepositories);
  const plans = useResource<Plan[]>(listPlans);

  const repositoryById = computed(
    () => new Map((repositories.data.value ?? []).map((repository) => [repository.id, repository])),
  );
  const planById = computed(() => new Map((plans.data.value ?? []).map((plan) => [plan.id, plan])));

  return {
    repositories: repositories.data,
    plans: plans.data,
    error: computed(() => repositories.error.value ?? plans.error.value),
    repositoryName: (id: string | null | undefined) =>
      (id && repositoryById.value.get(id)?.name) || id || '—',
    planName: (id: string | null | undefined) => (id && planById.value.get(id)?.name) || id || '—',
    reload: () => Promise.all([repositories.reload(), plans.reload()]),
  };
}
