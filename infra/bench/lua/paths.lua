-- GET a list of paths in turn (one per line in the file named after --), each thread starting at its own place.
-- Optional second argument "spoof": a different X-Forwarded-For per request, as verifiers behind a proxy would be.
require "common"

local paths, index, spoof, base = {}, 0, false, {}
local counter = 0

function init(args)
   paths = read_lines(args[1])
   spoof = args[2] == "spoof"
   index = math.random(#paths)
   for k, v in pairs(wrk.headers) do base[k] = v end
end

function request()
   index = index % #paths + 1
   if not spoof then
      return wrk.format("GET", paths[index])
   end
   counter = counter + 1
   local headers = {}
   for k, v in pairs(base) do headers[k] = v end
   headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
   return wrk.format("GET", paths[index], headers)
end

done = bench_done
