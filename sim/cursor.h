/* sim/cursor.h — the project's one bounds-checked reader and one writer (STYLE "Parsing").
 * Every packet byte is read through a cur: a read past the end sets a sticky error and returns
 * zeros, so a parser can read a whole header and check cur_ok() once. Multi-byte values are
 * network byte order. The writer writes into a fixed buffer or a growable heap buffer, with
 * reserve-then-patch for length fields. Lives in sim/ (the lowest layer) so the engine's stack
 * and every protocol codec share it. */
#ifndef SIM_CURSOR_H
#define SIM_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cur {
    const uint8_t *p;
    size_t len;
    size_t off;
    int err; /* 0, or the first negative errno (-EBADMSG for a short read) */
} cur;

/* Starts reading len bytes at p (borrowed). */
void cur_init(cur *c, const void *p, size_t len);
/* Reads one byte; 0 and sticky -EBADMSG when none is left. */
uint8_t cur_u8(cur *c);
/* Reads a big-endian 16-bit value. */
uint16_t cur_u16(cur *c);
/* Reads a big-endian 32-bit value. */
uint32_t cur_u32(cur *c);
/* Reads a big-endian 64-bit value. */
uint64_t cur_u64(cur *c);
/* Returns a pointer to the next n bytes and advances; NULL (and the error) if fewer remain. */
const uint8_t *cur_bytes(cur *c, size_t n);
/* Copies the next n bytes to dst; on a short read dst is zeroed. Returns 0 or the error. */
int cur_copy(cur *c, void *dst, size_t n);
/* Skips n bytes. */
void cur_skip(cur *c, size_t n);
/* A cursor over the next n bytes (one TLV, one header); the parent advances past them. A short
 * parent gives a failed, empty child and fails the parent. */
cur cur_sub(cur *c, size_t n);
/* Marks the cursor failed with err (keeps the first error). */
void cur_fail(cur *c, int err);
/* Bytes left to read. */
static inline size_t cur_left(const cur *c) { return c->err ? 0 : c->len - c->off; }
/* True while no read has failed. */
static inline bool cur_ok(const cur *c) { return c->err == 0; }
/* Pointer to the current position (valid for cur_left bytes). */
static inline const uint8_t *cur_ptr(const cur *c) { return c->p + c->off; }

typedef struct wr {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int err;     /* 0, or -ENOSPC once a fixed buffer overflowed */
    bool grows;  /* heap buffer owned by the writer */
} wr;

/* Writes into buf[0..cap) (borrowed); overflow sets -ENOSPC and stops writing. */
void wr_init(wr *w, void *buf, size_t cap);
/* Writes into a growable heap buffer owned by the writer; free with wr_clear. */
void wr_init_dyn(wr *w);
/* Frees a growable writer's buffer. NULL-safe; no-op for fixed writers. */
void wr_clear(wr *w);
/* Appends one byte. */
void wr_u8(wr *w, uint8_t v);
/* Appends a big-endian 16-bit value. */
void wr_u16(wr *w, uint16_t v);
/* Appends a big-endian 32-bit value. */
void wr_u32(wr *w, uint32_t v);
/* Appends a big-endian 64-bit value. */
void wr_u64(wr *w, uint64_t v);
/* Appends n bytes from p. */
void wr_bytes(wr *w, const void *p, size_t n);
/* Appends n zero bytes. */
void wr_zero(wr *w, size_t n);
/* Reserves n bytes to patch later; returns their offset. */
size_t wr_reserve(wr *w, size_t n);
/* Overwrites a 16-bit value at off (must be inside what was written). */
void wr_patch_u16(wr *w, size_t off, uint16_t v);
/* Overwrites a 32-bit value at off. */
void wr_patch_u32(wr *w, size_t off, uint32_t v);

#endif
