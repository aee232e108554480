import { runLogoutDeliveries } from './run-logout-deliveries';

runLogoutDeliveries(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code;
});
