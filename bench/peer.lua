-- wrk script for bench/peer.sh: cycles through the request paths of a file (one a line, given
-- after `--`), each thread from its own starting point; with a second argument N, each thread
-- stops after N responses (a cold pass: every query once).
local paths, i, limit, done = {}, 0, 0, 0
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  limit = tonumber(args[2] or "0") or 0
  i = (offset or 0) * 37
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
function response(status, headers, body)
  done = done + 1
  if limit > 0 and done >= limit then wrk.thread:stop() end
end
