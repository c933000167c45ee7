-- wrk script: cycles through a fixed mixed set of search pages (full pages, as a browser asks).
local queries = {
  "history", "introduction", "theory of", "the", "\"quantum mechanics\"", "author:smith",
  "lang:russian", "ext:epub", "year:1990..2000", "10.1007/s00220-012-1234-5", "红楼",
  "physics chemistry", "calculus", "war and peace", "zzqxv", "mathematics&collection=libgen",
}
local i = 0
request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  return wrk.format("GET", "/search?q=" .. q:gsub(" ", "+"):gsub("\"", "%%22"))
end
