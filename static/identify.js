// Lanshelf: the identify page. Files dropped (or chosen) are read in slices and hashed here
// with LanshelfMD5 (static/md5.js); only the sums go to the server, as one batch look-up.
(function () {
  "use strict";
  var zone = document.getElementById("dropzone");
  var input = document.getElementById("files");
  var table = document.getElementById("identify-table");
  var status = document.getElementById("identify-status");
  if (!zone || !input || !table || !window.LanshelfMD5) return;
  // The API beside this page (`/identify`), under whatever path prefix the portal has.
  var url = new URL("api/lookup/batch", document.baseURI).href;
  var body = table.querySelector("tbody");
  var SLICE = 4 * 1024 * 1024;
  var BATCH = 10000;

  function cell(row, text, className) {
    var td = document.createElement("td");
    if (text !== undefined) td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function link(href, text, className) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    if (className) a.className = className;
    return a;
  }

  function size(bytes) {
    var units = ["bytes", "KB", "MB", "GB"], i = 0;
    while (bytes >= 1000 && i < units.length - 1) { bytes /= 1000; i++; }
    return (i === 0 ? bytes : bytes.toFixed(1)) + " " + units[i];
  }

  // What the repository layout says a file's sum is: a name of 32 hex digits, with or without
  // an extension.
  function namedSum(name) {
    var stem = name.split(".")[0];
    return /^[0-9a-fA-F]{32}$/.test(stem) ? stem.toLowerCase() : null;
  }

  function readSlice(blob) {
    if (blob.arrayBuffer) return blob.arrayBuffer();
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(blob);
    });
  }

  async function hash(file, progress) {
    var md5 = new window.LanshelfMD5();
    for (var at = 0; at < file.size; at += SLICE) {
      var buffer = await readSlice(file.slice(at, Math.min(at + SLICE, file.size)));
      md5.update(new Uint8Array(buffer));
      progress(Math.min(at + SLICE, file.size) / Math.max(file.size, 1));
    }
    return md5.hex();
  }

  function describe(entry, td, here, found) {
    var rec = found.records && found.records[0];
    if (!rec) {
      td.textContent = "unknown";
      td.parentNode.classList.add("unknown");
      return false;
    }
    td.textContent = "";
    td.appendChild(link(rec.url, rec.title || "(untitled)", "record"));
    var more = document.createElement("span");
    more.className = "muted";
    more.textContent = " " + [rec.author, rec.year, rec.collection].filter(Boolean).join(" · ");
    td.appendChild(more);
    if (rec.download_url) here.appendChild(link(rec.download_url, "Download", "download"));
    else here.textContent = "not here";
    return true;
  }

  async function identify(files) {
    files = Array.prototype.slice.call(files);
    if (files.length === 0) return;
    table.hidden = false;
    var entries = files.map(function (file) {
      var row = document.createElement("tr");
      cell(row, file.name);
      var sum = cell(row, "hashing…", "mono hash");
      var record = cell(row, "", "status");
      var here = cell(row, "");
      body.appendChild(row);
      return { file: file, row: row, sum: sum, record: record, here: here, md5: null };
    });
    for (var i = 0; i < entries.length; i++) {
      var e = entries[i];
      status.textContent = "Hashing " + (i + 1) + " of " + entries.length + ": " + e.file.name + " (" + size(e.file.size) + ")";
      try {
        e.md5 = await hash(e.file, function (share) { e.sum.textContent = "hashing… " + Math.round(share * 100) + " %"; });
        e.sum.textContent = e.md5;
      } catch (err) {
        e.sum.textContent = "unreadable";
      }
    }
    var hashed = entries.filter(function (e) { return e.md5; });
    var found = 0, damaged = 0;
    for (var start = 0; start < hashed.length; start += BATCH) {
      var part = hashed.slice(start, start + BATCH);
      // The contents' sums, then the sums the names promise (for damaged copies).
      var asked = part.map(function (e) { return "md5:" + e.md5; });
      part.forEach(function (e) {
        var named = namedSum(e.file.name);
        e.named = named && named !== e.md5 ? named : null;
        if (e.named) asked.push("md5:" + e.named);
      });
      status.textContent = "Looking up " + asked.length + " sums…";
      var response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ identifiers: asked })
      });
      if (!response.ok) {
        status.textContent = "The look-up failed (" + response.status + ").";
        return;
      }
      var answer = await response.json();
      var extra = part.length;
      part.forEach(function (e, k) {
        if (describe(e, e.record, e.here, answer.rows[k])) found++;
        if (e.named) {
          damaged++;
          var expected = answer.rows[extra++];
          var rec = expected && expected.records && expected.records[0];
          e.row.classList.add("damaged");
          var note = document.createElement("div");
          note.className = "damaged-note";
          note.textContent = "Damaged: named " + e.named + (rec ? " (" + rec.title + ")" : "") + ", but its content has another MD5.";
          e.record.appendChild(note);
        }
      });
    }
    status.textContent = entries.length + " files: " + found + " found, " + (hashed.length - found) + " unknown" +
      (damaged ? ", " + damaged + " damaged" : "") + (entries.length > hashed.length ? ", " + (entries.length - hashed.length) + " unreadable" : "") + ".";
    status.setAttribute("data-done", "true");
  }

  input.addEventListener("change", function () { identify(input.files); });
  zone.addEventListener("dragover", function (event) { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer) identify(event.dataTransfer.files);
  });
})();
