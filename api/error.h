/* An error from AWS, Kubernetes or the transport, for the status line. */
#ifndef ALBATROSS_ERROR_H
#define ALBATROSS_ERROR_H

struct api_error {
    long http_status;       /* 0 for a transport or local failure */
    char code[96];          /* "AccessDenied", "Unauthorized", "Timeout" */
    char message[512];
    char request_id[80];    /* "" when the reply carried none */
    int attempts;           /* AWS attempts of the call, retries
                             * included and resends after a clock or
                             * credential fix not; 0 when none was sent */
};

void api_error_set(struct api_error *err, const char *code, const char *fmt,
                   ...) __attribute__((format(printf, 3, 4)));

#endif
