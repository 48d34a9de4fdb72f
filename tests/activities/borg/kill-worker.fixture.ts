// A stand-in for a Temporal worker: runs one slow backup until the test kills this process.
import { createArchive, type BorgRepository } from '../../../activities/borg';

const [repositoryJson, sourceDir] = process.argv.slice(2);
const repository = JSON.parse(repositoryJson) as BorgRepository;

await createArchive(repository, {
  archiveName: 'interrupted',
  sources: [sourceDir],
  compression: 'lzma,6',
});
