/* The Date response header (RFC 9110 §5.6.7 IMF-fixdate), formatted once per second: every
 * response needs it and strftime is not free. Per thread, because each loop has its own
 * thread. */
#include <stdio.h>
#include <time.h>

#include "internal.h"

static _Thread_local time_t cached_sec = -1;
static _Thread_local char cached[32];

const char *isl_http_date(void) {
  static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t now = time(NULL);
  if (now == cached_sec) return cached;
  struct tm tm;
  gmtime_r(&now, &tm);
  /* Formatted by hand: strftime's %a/%b follow the locale, the header must not. */
  snprintf(cached, sizeof(cached), "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
           tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  cached_sec = now;
  return cached;
}
