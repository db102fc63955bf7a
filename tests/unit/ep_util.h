/* tests/unit/ep_util.h — endpoints in tests: parse one from a literal, compare one with a
 * literal. */
#ifndef TESTS_UNIT_EP_UTIL_H
#define TESTS_UNIT_EP_UTIL_H

#include <glib.h>
#include "sim/addr.h"

/* The endpoint "ip:port" / "[ip6]:port" s; asserts it parses. */
static inline sim_ep ep(const char *s)
{
    sim_ep e;
    g_assert_cmpint(sim_ep_parse(s, &e), ==, 0);
    return e;
}

/* True when e is the endpoint written in s. */
static inline bool ep_is(const sim_ep *e, const char *s)
{
    sim_ep x = ep(s);
    return sim_ep_eq(e, &x);
}

/* Asserts *got prints as want. */
static inline void assert_ep(const sim_ep *got, const char *want)
{
    char b[SIM_EP_STRLEN];
    g_assert_cmpstr(sim_ep_fmt(got, b, sizeof b), ==, want);
}

#endif
