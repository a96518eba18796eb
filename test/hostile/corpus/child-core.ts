import { serve } from './child.js'
import { coreReaders, warmUp } from './readers.js'

await serve(coreReaders, warmUp)
process.exit(0)
