// Runs s3rver in its own node process, started with --openssl-legacy-provider (paged listings need it).
// argv: <directory> <bucket>. Prints {"port":N} on stdout once listening; stops on SIGTERM or when stdin closes.
import S3rver from 's3rver'

const [directory, bucket] = process.argv.slice(2)
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] })
const { port } = await server.run()
process.stdout.write(`${JSON.stringify({ port })}\n`)
const stop = async () => {
  await server.close().catch(() => undefined)
  process.exit(0)
}
process.on('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
