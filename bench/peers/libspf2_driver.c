/* libspf2 peer for the spfdoctor benchmark.
 *
 *   libspf2_driver < QUERIES > RESULTS
 *
 * Reads `IP SENDER HELO` lines (SENDER `<>` is the null sender: libspf2 then
 * checks postmaster@HELO), evaluates each with one SPF_server_t built on
 * SPF_DNS_CACHE (libspf2's caching layer over the system resolver, which reads
 * /etc/resolv.conf), one check after the other, and prints one result a line:
 * pass fail softfail neutral none permerror temperror.
 *
 * Build: cc -O2 -o libspf2_driver libspf2_driver.c -lspf2
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <spf2/spf.h>

static const char *result_name(SPF_result_t r) {
  switch (r) {
    case SPF_RESULT_PASS: return "pass";
    case SPF_RESULT_FAIL: return "fail";
    case SPF_RESULT_SOFTFAIL: return "softfail";
    case SPF_RESULT_NEUTRAL: return "neutral";
    case SPF_RESULT_NONE: return "none";
    case SPF_RESULT_PERMERROR: return "permerror";
    case SPF_RESULT_TEMPERROR: return "temperror";
    default: return "invalid";
  }
}

int main(void) {
  SPF_server_t *server = SPF_server_new(SPF_DNS_CACHE, 0);
  if (server == NULL) {
    fprintf(stderr, "libspf2_driver: SPF_server_new failed\n");
    return 1;
  }
  char line[4096];
  while (fgets(line, sizeof line, stdin) != NULL) {
    char ip[256], sender[1024], helo[1024];
    if (line[0] == '#' || sscanf(line, "%255s %1023s %1023s", ip, sender, helo) != 3) continue;
    SPF_request_t *req = SPF_request_new(server);
    SPF_response_t *resp = NULL;
    const char *res = "invalid";
    int bad = strchr(ip, ':') ? SPF_request_set_ipv6_str(req, ip) : SPF_request_set_ipv4_str(req, ip);
    if (bad == SPF_E_SUCCESS) {
      SPF_request_set_helo_dom(req, helo);
      /* With an empty MAIL FROM libspf2 uses postmaster@HELO (set HELO first). */
      SPF_request_set_env_from(req, strcmp(sender, "<>") == 0 ? "" : sender);
      SPF_request_query_mailfrom(req, &resp);
      if (resp != NULL) res = result_name(SPF_response_result(resp));
    }
    puts(res);
    if (resp != NULL) SPF_response_free(resp);
    SPF_request_free(req);
  }
  SPF_server_free(server);
  return 0;
}
