import { run } from './child.js'
import { tfjsReaders, warmUpTfjs } from './tfjs-readers.js'

await run(tfjsReaders, warmUpTfjs)
process.exit(0)
