-- PUT a JSON document to a list of paths in turn (one per line in the file named after --): a unit saving its
-- resume state. Each thread starts at its own place.
require "common"

local paths, index, headers = {}, 0, {}
local body = '{"bookmark":"slide-13","suspend_data":"' .. string.rep("y", 400) .. '"}'

function init(args)
   paths = read_lines(args[1])
   index = math.random(#paths)
   -- wrk.format uses the headers given instead of the command line's (-H): keep those (the credential) too
   for k, v in pairs(wrk.headers) do headers[k] = v end
   headers["Content-Type"] = "application/json"
end

function request()
   index = index % #paths + 1
   return wrk.format("PUT", paths[index], headers, body)
end

done = bench_done
