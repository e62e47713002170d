/* LD_PRELOAD library for the monotonic-deadline test: the process sees the wall clock
 * (CLOCK_REALTIME, gettimeofday, time) jump by WALL_CLOCK_JUMP seconds (may be negative) once
 * WALL_CLOCK_JUMP_AFTER_MS milliseconds of CLOCK_MONOTONIC have passed since its first
 * clock read. The real clock is never touched. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec*);

static clock_gettime_fn real_clock_gettime(void) {
  static clock_gettime_fn real;
  if (real == NULL) {
    /* POSIX allows this conversion for dlsym; ISO C does not: copy the bits. */
    void* sym = dlsym(RTLD_NEXT, "clock_gettime");
    memcpy(&real, &sym, sizeof real);
  }
  return real;
}

static long long now_monotonic_ms(void) {
  struct timespec ts;
  real_clock_gettime()(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long offset_s(void) {
  static long long first_ms = -1;
  const char* jump = getenv("WALL_CLOCK_JUMP");
  const char* after = getenv("WALL_CLOCK_JUMP_AFTER_MS");
  if (jump == NULL) return 0;
  long long now = now_monotonic_ms();
  if (first_ms < 0) first_ms = now;
  if (now - first_ms < (after ? atoll(after) : 0)) return 0;
  return atoll(jump);
}

int clock_gettime(clockid_t id, struct timespec* ts) {
  int rc = real_clock_gettime()(id, ts);
  if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) ts->tv_sec += offset_s();
  return rc;
}

int gettimeofday(struct timeval* restrict tv, void* restrict tz) {
  (void)tz;
  struct timespec ts;
  int rc = clock_gettime(CLOCK_REALTIME, &ts);
  if (rc == 0) {
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
  }
  return rc;
}

time_t time(time_t* out) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (out != NULL) *out = ts.tv_sec;
  return ts.tv_sec;
}
