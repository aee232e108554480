import { runAppsInProcess } from '../cli/apps-in-process';
import { foldNode20Notices } from '../local/node20-notices';
import { startLocalGuichet } from '../local/start';

/**
 * `npm start`: runs the synthesized stack locally until interrupted. Here, outside local/ and cli/, which do not
 * import each other, local mode is handed the operator CLI for its playground.
 */
const STOP_DEADLINE_MS = 2000;
process.stdout.write('guichet: synthesizing the stack and starting it locally…\n');
foldNode20Notices((line) => process.stdout.write(line));
startLocalGuichet(process.env, {}, runAppsInProcess)
  .then((guichet) => {
    const lines = [
      '',
      'guichet is running locally: the synthesized stack, each Lambda in its own runtime',
      `  playground     ${guichet.publicUrl}/  (try every flow in a browser)`,
      `  API            ${guichet.publicUrl}`,
      `  web login      ${guichet.publicUrl}/auth/login`,
      `  your session   ${guichet.publicUrl}/auth/session`,
      `  identity prov. ${guichet.issuer}${guichet.devIdp ? '  (development IdP: any user name signs in)' : ''}`,
      `  DynamoDB API   ${guichet.dynamoDbEndpoint}  (in memory: emptied when this stops)`,
      `  functions      ${guichet.functions.size}, from ${guichet.template.assemblyDirectory}`,
      '',
      'Press Ctrl+C to stop.',
      '',
    ];
    process.stdout.write(lines.join('\n'));
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      // Whatever a part of local mode waits for, it stops in time: its processes end with their channel to this one.
      setTimeout(() => {
        process.stderr.write(`guichet: not stopped within ${STOP_DEADLINE_MS} ms, exiting anyway\n`);
        process.exit(1);
      }, STOP_DEADLINE_MS).unref();
      guichet.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  })
  .catch((error: unknown) => {
    process.stderr.write(`guichet could not start: ${(error as Error).message}\n`);
    process.exit(1);
  });
