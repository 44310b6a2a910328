// Assignment churn over HTTP, for bench/assign.sh: each client owns its own numbers and repeats POST /assign then
// DELETE /assign on them, over one keep-alive HTTP/1.1 connection.
// Usage: loadgen HOST PORT TOKEN USER_ID IDS_FILE CLIENTS SECONDS [WARMUP_SECONDS [BODY_FILE]]
// IDS_FILE holds one phone number id per line; client c takes lines c, c+CLIENTS, c+2*CLIENTS, ...
// BODY_FILE, when given, holds the POST body (a route with rules, say); otherwise the body routes to USER_ID.
// Prints one line: RESULT clients=.. requests=.. rps=.. pairs_per_s=.. p50_ms=.. p95_ms=.. p99_ms=.. max_ms=.. errors=..
// Requests that finish during the warm-up are not counted. A client always finishes its pair, so no number is left
// assigned when the run ends (unless a request failed).
//
// Why C, one thread and epoll: the load generator shares the machine's 2 cores with the service and PostgreSQL, and
// every microsecond it spends is taken from them. pgbench's own client, the reference's, costs ~0.05 ms of CPU per
// transaction here; the C# client this replaces (bench/LoadGen, async sockets on the thread pool) cost ~0.15 ms per
// request, and this one costs a few hundredths (assign.sh prints what each side used). Like wrk, it writes prebuilt
// request bytes and reads each response with a minimal parser (status line, Content-Length or chunked body). The
// latency is from the first byte written to the last byte of the response read.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BUF = 1 << 16, MAX_ERRORS_SHOWN = 5 };

typedef struct {
    char *post, *del;
    size_t post_len, del_len;
} number_t;

typedef struct {
    int fd, id;
    number_t *mine;
    size_t n_mine, next;      // next: index of the number whose pair comes next
    int in_pair;              // 0: the next request is a POST, 1: a DELETE
    int expected;             // status the request in flight must get
    const char *req;
    size_t req_len, sent;
    char buf[BUF];
    size_t len;               // bytes in buf
    double t0;
    double *lat;
    size_t n_lat, cap_lat;
    long errors;
    int done;
} client_t;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static char *format(size_t *len, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *format(size_t *len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) die("vasprintf");
    *len = (size_t)n;
    return s;
}

static int shown_errors;
static long answered; // every response, warm-up included
static double measure_from, stop_at;

static void start_request(client_t *c) {
    number_t *n = &c->mine[c->next];
    if (!c->in_pair) {
        c->req = n->post, c->req_len = n->post_len, c->expected = 201;
    } else {
        c->req = n->del, c->req_len = n->del_len, c->expected = 204;
    }
    c->sent = 0;
    c->t0 = now_s();
}

// Writes what the socket takes now; returns -1 on a hard error.
static int flush(client_t *c) {
    while (c->sent < c->req_len) {
        ssize_t w = send(c->fd, c->req + c->sent, c->req_len - c->sent, MSG_NOSIGNAL);
        if (w < 0) return errno == EAGAIN ? 0 : -1;
        c->sent += (size_t)w;
    }
    return 0;
}

static const char *find(const char *hay, size_t n, const char *needle) {
    return memmem(hay, n, needle, strlen(needle));
}

// Returns the length of one complete response at the start of buf, 0 if more bytes are needed, -1 if it is malformed.
// Sets *status.
static long complete_response(const char *buf, size_t len, int *status) {
    const char *end = find(buf, len, "\r\n\r\n");
    if (!end) return 0;
    size_t head = (size_t)(end - buf) + 4;
    if (len < 12 || memcmp(buf, "HTTP/1.1 ", 9) != 0) return -1;
    *status = atoi(buf + 9);
    long content_length = 0;
    int chunked = 0;
    for (const char *line = buf; line < end;) {
        const char *eol = find(line, (size_t)(end + 2 - line), "\r\n");
        if (!eol) break;
        size_t l = (size_t)(eol - line);
        if (l > 15 && strncasecmp(line, "Content-Length:", 15) == 0) content_length = atol(line + 15);
        if (l > 18 && strncasecmp(line, "Transfer-Encoding:", 18) == 0 && find(line, l, "chunked")) chunked = 1;
        line = eol + 2;
    }
    if (!chunked) return len >= head + (size_t)content_length ? (long)(head + (size_t)content_length) : 0;
    size_t at = head;
    for (;;) {
        const char *eol = find(buf + at, len - at, "\r\n");
        if (!eol) return 0;
        long size = strtol(buf + at, NULL, 16);
        at = (size_t)(eol - buf) + 2;
        if (len < at + (size_t)size + 2) return 0;
        at += (size_t)size + 2; // Kestrel sends no trailers: the last chunk ends with its CRLF
        if (size == 0) return (long)at;
    }
}

// Handles every complete response in the buffer; returns -1 if the connection is unusable.
static int on_readable(client_t *c) {
    for (;;) {
        if (c->len == BUF) return -1;
        ssize_t r = recv(c->fd, c->buf + c->len, BUF - c->len, 0);
        if (r == 0) return -1;
        if (r < 0) {
            if (errno == EAGAIN) return 0;
            return -1;
        }
        c->len += (size_t)r;
        int status = 0;
        long used = complete_response(c->buf, c->len, &status);
        if (used < 0) return -1;
        if (used == 0) continue;
        double t1 = now_s();
        answered++;
        int ok = status == c->expected;
        if (!ok && shown_errors < MAX_ERRORS_SHOWN) {
            shown_errors++;
            fprintf(stderr, "error: client %d expected %d, got: %.*s\n", c->id, c->expected,
                    (int)(used < 400 ? used : 400), c->buf);
        }
        if (t1 >= measure_from && t1 <= stop_at) {
            if (c->n_lat == c->cap_lat) {
                c->cap_lat = c->cap_lat ? 2 * c->cap_lat : 1 << 14;
                c->lat = realloc(c->lat, c->cap_lat * sizeof(double));
                if (!c->lat) die("realloc");
            }
            c->lat[c->n_lat++] = (t1 - c->t0) * 1000.0;
            if (!ok) c->errors++;
        }
        memmove(c->buf, c->buf + used, c->len - (size_t)used);
        c->len -= (size_t)used;
        if (c->len) return -1; // one request in flight: nothing may follow its response
        if (!c->in_pair) {
            c->in_pair = 1;
        } else {
            c->in_pair = 0;
            c->next = (c->next + 1) % c->n_mine;
            if (t1 >= stop_at) {
                c->done = 1;
                return 0;
            }
        }
        start_request(c);
        return flush(c);
    }
}

// The nearest-rank quantile, as bench/LoadGen and the pgbench log reader compute it.
static double quantile(const double *sorted, size_t n, double q) {
    if (!n) return 0;
    double rank = ceil(q * (double)n);
    size_t i = rank < 1 ? 0 : (size_t)rank - 1;
    return sorted[i < n ? i : n - 1];
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: loadgen HOST PORT TOKEN USER_ID IDS_FILE CLIENTS SECONDS [WARMUP_SECONDS [BODY_FILE]]\n");
        return 2;
    }
    const char *host = argv[1], *token = argv[3], *user = argv[4];
    int port = atoi(argv[2]), clients = atoi(argv[6]);
    double seconds = atof(argv[7]), warmup = argc > 8 ? atof(argv[8]) : 2;

    FILE *f = fopen(argv[5], "r");
    if (!f) die(argv[5]);
    size_t n_ids = 0, cap = 1024;
    char **ids = malloc(cap * sizeof(char *));
    char line[256];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line) continue;
        if (n_ids == cap) ids = realloc(ids, (cap *= 2) * sizeof(char *));
        ids[n_ids++] = strdup(line);
    }
    fclose(f);
    if (clients < 1 || n_ids < (size_t)clients) {
        fprintf(stderr, "%zu numbers for %d clients\n", n_ids, clients);
        return 2;
    }

    size_t body_len;
    char *body;
    if (argc > 9) {
        FILE *b = fopen(argv[9], "r");
        if (!b) die(argv[9]);
        size_t body_cap = 1 << 16;
        body = malloc(body_cap + 1);
        body_len = fread(body, 1, body_cap, b);
        if (ferror(b) || !feof(b)) {
            fprintf(stderr, "%s: unreadable or longer than %zu bytes\n", argv[9], body_cap);
            return 2;
        }
        fclose(b);
        while (body_len > 0 && (body[body_len - 1] == '\n' || body[body_len - 1] == '\r')) body_len--;
        body[body_len] = 0;
    } else {
        body = format(&body_len, "{\"assigned_type\":\"USER\",\"assigned_id\":\"%s\"}", user);
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "HOST must be an IPv4 address: %s\n", host);
        return 2;
    }

    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    client_t *cs = calloc((size_t)clients, sizeof(client_t));
    for (int i = 0; i < clients; i++) {
        client_t *c = &cs[i];
        c->id = i;
        c->n_mine = (n_ids - (size_t)i + (size_t)clients - 1) / (size_t)clients;
        c->mine = calloc(c->n_mine, sizeof(number_t));
        for (size_t k = 0; k < c->n_mine; k++) {
            const char *id = ids[(size_t)i + k * (size_t)clients];
            number_t *n = &c->mine[k];
            n->post = format(&n->post_len,
                             "POST /api/v1/dids/%s/assign HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
                             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                             id, host, port, token, body_len, body);
            n->del = format(&n->del_len,
                            "DELETE /api/v1/dids/%s/assign HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n\r\n",
                            id, host, port, token);
        }
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        if (c->fd < 0) die("socket");
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
        fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl");
    }

    double start = now_s();
    measure_from = start + warmup;
    stop_at = measure_from + seconds;
    for (int i = 0; i < clients; i++) {
        start_request(&cs[i]);
        if (flush(&cs[i]) < 0) die("send");
    }
    int active = clients, failed = 0;
    struct epoll_event events[256];
    while (active > 0) {
        int n = epoll_wait(ep, events, 256, 1000);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        if (n == 0 && now_s() > stop_at + 60) {
            fprintf(stderr, "error: %d clients got no answer for a minute after the end\n", active);
            return 1;
        }
        for (int k = 0; k < n; k++) {
            client_t *c = events[k].data.ptr;
            if (c->done) continue;
            if (on_readable(c) < 0) {
                fprintf(stderr, "error: client %d lost its connection (%s)\n", c->id, strerror(errno));
                c->done = 1;
                failed = 1;
            }
            if (c->done) {
                close(c->fd);
                active--;
            }
        }
    }

    size_t total = 0;
    long errors = 0;
    for (int i = 0; i < clients; i++) total += cs[i].n_lat, errors += cs[i].errors;
    double *all = malloc((total ? total : 1) * sizeof(double));
    size_t at = 0;
    for (int i = 0; i < clients; i++) {
        memcpy(all + at, cs[i].lat, cs[i].n_lat * sizeof(double));
        at += cs[i].n_lat;
    }
    qsort(all, total, sizeof(double), cmp_double);
    double rps = total / seconds;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    // all_requests and cpu_ms_per_request count the warm-up too, so the caller can divide other processes' CPU time
    // over the same requests.
    printf("RESULT clients=%d requests=%zu rps=%.0f pairs_per_s=%.0f p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f max_ms=%.1f "
           "errors=%ld all_requests=%ld cpu_ms_per_request=%.3f\n",
           clients, total, rps, rps / 2, quantile(all, total, 0.50), quantile(all, total, 0.95),
           quantile(all, total, 0.99), quantile(all, total, 1.0), errors, answered, answered ? cpu_ms / answered : 0.0);
    return failed ? 1 : 0;
}
