import { run } from './child.js'
import { coreReaders, warmUp } from './readers.js'

await run(coreReaders, warmUp)
process.exit(0)
