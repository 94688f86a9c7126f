/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SHA-256 in Lua 5.1 for scripts that run inside Redis 7.0, such as the case
 * operations that append hash-chained audit entries. Prepend LUA_SHA256 to a
 * script body; it defines a local sha256hex(msg) returning the lowercase hex
 * SHA-256 of a Lua string, using only the bit, string and table libraries.
 *
 * Lua numbers are doubles and the bit functions return signed 32-bit values.
 * Sums are left unnormalised where they stay below 2^39 (message schedule
 * words, T1) and folded with bit.tobit where they feed the state, well
 * inside the 2^51 bound within which the bit library reduces a double
 * modulo 2^32 exactly. Messages up to 2^37 bytes; tests/unit/test_crypto.c
 * checks it against OpenSSL through a real Redis.
 */
#ifndef HBM_GATEWAY_LUA_SHA256_H
#define HBM_GATEWAY_LUA_SHA256_H

#define LUA_SHA256                                                          \
	"local sha256hex\n"                                                 \
	"do\n"                                                              \
	"  local band, bxor, rshift = bit.band, bit.bxor, bit.rshift\n"     \
	"  local ror, tobit, tohex = bit.ror, bit.tobit, bit.tohex\n"       \
	"  local byte, char = string.byte, string.char\n"                   \
	"  local rep, sub = string.rep, string.sub\n"                       \
	"  local concat = table.concat\n"                                   \
	"  local K = {\n"                                                   \
	"    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,\n"             \
	"    0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,\n"             \
	"    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,\n"             \
	"    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,\n"             \
	"    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,\n"             \
	"    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,\n"             \
	"    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,\n"             \
	"    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,\n"             \
	"    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,\n"             \
	"    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,\n"             \
	"    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,\n"             \
	"    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,\n"             \
	"    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,\n"             \
	"    0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,\n"             \
	"    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,\n"             \
	"    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,\n"             \
	"  }\n"                                                             \
	"  local W = {}\n"                                                  \
	"  local function block(H, s, p)\n"                                 \
	"    local B = { byte(s, p, p + 63) }\n"                            \
	"    for j = 1, 16 do\n"                                            \
	"      local i = 4 * j\n"                                           \
	"      W[j] = B[i - 3] * 16777216 + B[i - 2] * 65536\n"             \
	"        + B[i - 1] * 256 + B[i]\n"                                 \
	"    end\n"                                                         \
	"    for j = 17, 64 do\n"                                           \
	"      local x, y = W[j - 15], W[j - 2]\n"                          \
	"      W[j] = W[j - 16] + W[j - 7]\n"                               \
	"        + bxor(ror(x, 7), ror(x, 18), rshift(x, 3))\n"             \
	"        + bxor(ror(y, 17), ror(y, 19), rshift(y, 10))\n"           \
	"    end\n"                                                         \
	"    local a, b, c, d = H[1], H[2], H[3], H[4]\n"                   \
	"    local e, f, g, h = H[5], H[6], H[7], H[8]\n"                   \
	"    local bc = bxor(b, c)\n"                                       \
	"    for j = 1, 64 do\n"                                            \
	"      local t1 = h + bxor(ror(e, 6), ror(e, 11), ror(e, 25))\n"    \
	"        + bxor(g, band(e, bxor(f, g))) + K[j] + W[j]\n"            \
	"      local ab = bxor(a, b)\n"                                     \
	"      local t2 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))\n"        \
	"        + bxor(b, band(ab, bc))\n"                                 \
	"      bc = ab\n"                                                   \
	"      h, g, f, e = g, f, e, tobit(d + t1)\n"                       \
	"      d, c, b, a = c, b, a, tobit(t1 + t2)\n"                      \
	"    end\n"                                                         \
	"    H[1], H[2] = tobit(H[1] + a), tobit(H[2] + b)\n"               \
	"    H[3], H[4] = tobit(H[3] + c), tobit(H[4] + d)\n"               \
	"    H[5], H[6] = tobit(H[5] + e), tobit(H[6] + f)\n"               \
	"    H[7], H[8] = tobit(H[7] + g), tobit(H[8] + h)\n"               \
	"  end\n"                                                           \
	"  sha256hex = function(msg)\n"                                     \
	"    local H = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,\n" \
	"      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }\n"          \
	"    local n = #msg\n"                                              \
	"    local full = n - n % 64\n"                                     \
	"    for p = 1, full, 64 do\n"                                      \
	"      block(H, msg, p)\n"                                          \
	"    end\n"                                                         \
	"    local lo = n % 536870912 * 8\n"                                \
	"    local hi = (n - n % 536870912) / 536870912\n"                  \
	"    local tail = sub(msg, full + 1) .. \"\\128\"\n"                \
	"      .. rep(\"\\0\", (55 - n) % 64) .. char(0, 0, 0, hi,\n"       \
	"        rshift(lo, 24), band(rshift(lo, 16), 255),\n"              \
	"        band(rshift(lo, 8), 255), band(lo, 255))\n"                \
	"    for p = 1, #tail, 64 do\n"                                     \
	"      block(H, tail, p)\n"                                         \
	"    end\n"                                                         \
	"    for j = 1, 8 do\n"                                             \
	"      H[j] = tohex(H[j], 8)\n"                                     \
	"    end\n"                                                         \
	"    return concat(H)\n"                                            \
	"  end\n"                                                           \
	"end\n"

#endif
