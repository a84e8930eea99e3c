#ifndef CHAINETL_CZLIB_SHIM_H
#define CHAINETL_CZLIB_SHIM_H
#include <zlib.h>

/// deflateInit2 and inflateInit2 are macros; Swift cannot call them directly.
/// At level 1 the hash chain is searched once per position instead of zlib's 4 times
/// (deflateTune: good 4, lazy 4, nice 8, chain 1): about 15 % less deflate time on checkpoint
/// NDJSON for about 5 % larger files (docs/performance.md). The output is still plain deflate.
static inline int chainetl_tuneLevel1(z_streamp strm, int level, int code) {
    return code == Z_OK && level == 1 ? deflateTune(strm, 4, 4, 8, 1) : code;
}
static inline int chainetl_deflateInit2(z_streamp strm, int level, int windowBits) {
    return chainetl_tuneLevel1(strm, level, deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY));
}
/// deflateReset restores the level's own search parameters, so the tuning is applied again.
static inline int chainetl_deflateReset(z_streamp strm, int level) {
    return chainetl_tuneLevel1(strm, level, deflateReset(strm));
}
static inline int chainetl_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
