import { serve } from './child.js'
import { tfjsReaders, warmUpTfjs } from './tfjs-readers.js'

await serve(tfjsReaders, warmUpTfjs)
process.exit(0)
