// Lanshelf: MD5 (RFC 1321), fed a chunk at a time, so the identify page can hash files of any
// size in the browser without holding them in memory. Written for Lanshelf; public domain
// algorithm. `new LanshelfMD5()`, `.update(Uint8Array)` as often as needed, then `.hex()`.
(function (global) {
  "use strict";
  // floor(abs(sin(i + 1)) * 2^32), i = 0..63.
  var K = new Int32Array([
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391
  ]);
  // Left-rotation amounts per step.
  var R = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

  function LanshelfMD5() {
    this.h = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
    this.pending = new Uint8Array(64);
    this.pendingLength = 0;
    this.length = 0;
    this.words = new Int32Array(16);
  }

  // One 64-byte block of `bytes` starting at `at`.
  LanshelfMD5.prototype.block = function (bytes, at) {
    var w = this.words, h = this.h, i;
    for (i = 0; i < 16; i++) {
      var j = at + i * 4;
      w[i] = bytes[j] | (bytes[j + 1] << 8) | (bytes[j + 2] << 16) | (bytes[j + 3] << 24);
    }
    var a = h[0], b = h[1], c = h[2], d = h[3];
    for (i = 0; i < 64; i++) {
      var f, g, round = i >> 4;
      if (round === 0) { f = (b & c) | (~b & d); g = i; }
      else if (round === 1) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
      else if (round === 2) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
      else { f = c ^ (b | ~d); g = (7 * i) & 15; }
      var s = R[(round << 2) | (i & 3)];
      var x = (a + f + K[i] + w[g]) | 0;
      a = d; d = c; c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
  };

  // Adds bytes (a Uint8Array).
  LanshelfMD5.prototype.update = function (bytes) {
    var i = 0, n = bytes.length;
    this.length += n;
    if (this.pendingLength > 0) {
      while (this.pendingLength < 64 && i < n) this.pending[this.pendingLength++] = bytes[i++];
      if (this.pendingLength < 64) return this;
      this.block(this.pending, 0);
      this.pendingLength = 0;
    }
    for (; i + 64 <= n; i += 64) this.block(bytes, i);
    while (i < n) this.pending[this.pendingLength++] = bytes[i++];
    return this;
  };

  // Ends the message and returns the sum as 32 lower-case hex digits.
  LanshelfMD5.prototype.hex = function () {
    var length = this.length;
    var padLength = (this.pendingLength < 56 ? 56 : 120) - this.pendingLength;
    var tail = new Uint8Array(padLength + 8);
    tail[0] = 0x80;
    // The message length in bits, 64-bit little-endian (files past 4 GiB included).
    var bitsLow = (length % 0x20000000) * 8, bitsHigh = Math.floor(length / 0x20000000);
    for (var k = 0; k < 4; k++) {
      tail[padLength + k] = (bitsLow >>> (8 * k)) & 0xff;
      tail[padLength + 4 + k] = (bitsHigh >>> (8 * k)) & 0xff;
    }
    this.update(tail);
    this.length = length;
    var out = "";
    for (var i = 0; i < 4; i++) {
      for (var b = 0; b < 4; b++) {
        var v = (this.h[i] >>> (8 * b)) & 0xff;
        out += (v < 16 ? "0" : "") + v.toString(16);
      }
    }
    return out;
  };

  global.LanshelfMD5 = LanshelfMD5;
})(window);
