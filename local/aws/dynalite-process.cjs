// The embedded DynamoDB engine (dynalite) in a process of its own, as DynamoDB is a service of its own: its work
// never runs on the thread that serves guichet. It reports its port to the parent and ends with it.
const dynalite = require('dynalite');

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
