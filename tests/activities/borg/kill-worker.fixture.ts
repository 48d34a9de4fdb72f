// A stand-in for a Temporal worker: runs one slow backup until the test kills this process. It
// prints `started` once borg has stored data, so the kill lands in the middle of the archive.
import { createArchive, type BorgRepository } from '../../../activities/borg';

const [repositoryJson, sourceDir] = process.argv.slice(2);
const repository = JSON.parse(repositoryJson) as BorgRepository;
let isStartAnnounced = false;

await createArchive(
  repository,
  { archiveName: 'interrupted', sources: [sourceDir], compression: 'lzma,6' },
  {
    onEvent: (event) => {
      if (isStartAnnounced || event.type !== 'archive_progress' || !event.originalBytes) return;
      isStartAnnounced = true;
      process.stdout.write('started\n');
    },
  },
);
