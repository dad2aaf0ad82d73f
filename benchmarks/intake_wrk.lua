-- wrk script for benchmarks/intake_wrk.py: replays pre-signed intake requests from a file.
-- Each line: <path>\t<X-Signature>\t<JSON body>. Thread k sends lines k, k+T, k+2T, ... and
-- starts over when it runs out (a later pass is a retry: 200 with the same ticket).
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[2])
  requests = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == id then
      local path, sig, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", path,
        {["Content-Type"] = "application/json", ["X-Signature"] = sig}, body)
    end
    i = i + 1
  end
  next_index = 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end
