/* tests/fuzz/stun_roundtrip.h — the re-encoding check the STUN-format fuzz targets share: a
 * message the decoder accepted must encode to the input bytes once the input's attribute
 * padding is zeroed (the decoder ignores padding, the encoder writes zeros); abort() if not. */
#ifndef TESTS_FUZZ_STUN_ROUNDTRIP_H
#define TESTS_FUZZ_STUN_ROUNDTRIP_H

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include "protocols/stun/stun.h"

G_GNUC_UNUSED static void fuzz_stun_roundtrip(const stun_msg *m, const uint8_t *data, size_t size)
{
    uint8_t *want = g_memdup2(data, size), *again = g_malloc(size + 1);
    for (size_t i = 0; i < m->n_attrs; i++) {
        size_t end = (size_t)m->attrs[i].off + 4 + m->attrs[i].len;
        memset(want + end, 0, (4 - (m->attrs[i].len & 3)) & 3);
    }
    size_t len;
    if (stun_msg_encode(m, again, size + 1, &len) != 0 || len != size ||
        memcmp(again, want, size) != 0)
        abort();
    g_free(want);
    g_free(again);
}

#endif
