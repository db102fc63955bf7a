/* sim/time.h — virtual time: uint64_t nanoseconds since the start of a run (DESIGN §1). */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <stdint.h>

typedef uint64_t sim_time_t;

#define SIM_NS ((sim_time_t)1)
#define SIM_US ((sim_time_t)1000)
#define SIM_MS ((sim_time_t)1000000)
#define SIM_SEC ((sim_time_t)1000000000)
/* "No deadline": sorts after every real time. */
#define SIM_TIME_NEVER UINT64_MAX

/* Seconds as a double, for humans and Lua. */
static inline double sim_time_sec(sim_time_t t) { return (double)t / 1e9; }

/* Seconds (double) to nanoseconds, clamped to [0, SIM_TIME_NEVER). */
static inline sim_time_t sim_time_from_sec(double s)
{
    if (!(s > 0)) return 0;
    if (s >= 1.8e10) return SIM_TIME_NEVER - 1;
    return (sim_time_t)(s * 1e9 + 0.5);
}

#endif
