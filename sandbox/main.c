/*
 * albatross-sandbox: serves a world file's AWS account and Kubernetes
 * clusters over HTTPS on loopback until SIGTERM or SIGINT, and writes the
 * client environment once it accepts connections.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clientenv.h"
#include "controller.h"
#include "fault.h"
#include "oidc_issuer.h"
#include "server.h"
#include "tls.h"
#include "world.h"

#define PROG "albatross-sandbox"
#define DEMO_WORLD "demo.yaml"

#define FAULTS_MAX 64

struct options {
    const char *world;
    const char *env_file;   /* NULL: stdout */
    unsigned port;
    const char *faults[FAULTS_MAX];     /* --fault SPEC, in order */
    size_t fault_count;
    const char *seed;       /* --seed N, or NULL */
    double clock_speed;     /* 0: the world's; HUGE_VAL: instant */
};

/* The private directory with the CA bundle and the kubeconfig. */
struct files {
    char dir[PATH_MAX / 2];     /* room left for the file names */
    char ca[PATH_MAX];
    char kubeconfig[PATH_MAX];
};

static void usage(FILE *out)
{
    fprintf(out,
        "usage: " PROG " [--world FILE] [--port N] [--env-file PATH]\n"
        "                         [--fault SPEC]... [--seed N]\n"
        "\n"
        "Serves the AWS APIs (STS, EKS, IAM, EC2) and the Kubernetes API of\n"
        "each cluster in a world file over HTTPS on 127.0.0.1.\n"
        "\n"
        "  --world FILE     world file (YAML); default: the bundled demo\n"
        "                   world, sandbox/worlds/" DEMO_WORLD "\n"
        "  --port N         TCP port to listen on, 0 to 65535; 0 (default)\n"
        "                   picks a free port\n"
        "  --env-file PATH  write the client environment (KEY=value lines)\n"
        "                   to PATH instead of stdout, once serving\n"
        "  --clock-speed X  sandbox seconds per real second, a positive\n"
        "                   number (default 1), or 'instant' so load\n"
        "                   balancers, targets and CloudFormation stacks\n"
        "                   settle at once\n"
        "  --fault SPEC     inject faults: SERVICE:KEY=VALUE[,KEY=VALUE]\n"
        "                   with SERVICE sts, iam, ec2, eks, elbv2, acm,\n"
        "                   wafv2, k8s, aws or all, and KEY throttle,\n"
        "                   500, 502, 503, 504, close, truncate or\n"
        "                   malformed (fractions of requests, 0 to 1),\n"
        "                   latency (ms), expiredToken\n"
        "                   (count of requests), skew (s) or retryAfter (s);\n"
        "                   for k8s also watchEvents (count), watchSeconds\n"
        "                   (s), watchCut and compact (fractions of watch\n"
        "                   requests),\n"
        "                   e.g. iam:throttle=0.5; repeatable, after the\n"
        "                   world file's faults section\n"
        "  --seed N         seed of the fault choices (default: the world\n"
        "                   file's faults.seed, else 1)\n"
        "  --help           show this help\n"
        "  --version        show the version\n"
        "\n"
        "Exits 0 after SIGTERM or SIGINT, 2 on an invalid option or world\n"
        "file, 1 on any other failure.\n");
}

static int bad_usage(const char *fmt, const char *value)
{
    fprintf(stderr, PROG ": ");
    fprintf(stderr, fmt, value);
    fprintf(stderr, "; see " PROG " --help\n");
    return 2;
}

static int parse_port(const char *s, unsigned *port)
{
    char *end;
    long n;

    /* strtol would take leading blanks and a sign */
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    n = strtol(s, &end, 10);
    if (*end || errno || n < 0 || n > 65535)
        return -1;
    *port = (unsigned)n;
    return 0;
}

static int parse_speed(const char *s, double *speed)
{
    char *end;

    if (strcmp(s, "instant") == 0) {
        *speed = HUGE_VAL;
        return 0;
    }
    errno = 0;
    *speed = strtod(s, &end);
    return !*s || *end || errno || !(*speed > 0) ? -1 : 0;
}

/* Takes the value of --name VALUE or --name=VALUE into *value. */
static int option_value(int argc, char **argv, int *i, const char *name,
                        const char **value)
{
    size_t len = strlen(name);

    if (strncmp(argv[*i], name, len) != 0)
        return 0;
    if (argv[*i][len] == '=') {
        *value = argv[*i] + len + 1;
        return 1;
    }
    if (argv[*i][len] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        *value = NULL;
        return 1;
    }
    *value = argv[++*i];
    return 1;
}

/* Returns -1 to run, or the exit code after --help, --version or an
 * invalid argument. */
static int parse_args(int argc, char **argv, struct options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(arg, "--version") == 0) {
            printf(PROG " %s\n", ALBATROSS_VERSION);
            return 0;
        } else if (option_value(argc, argv, &i, "--world", &value)) {
            if (!value || !*value)
                return bad_usage("%s requires a file name", arg);
            o->world = value;
        } else if (option_value(argc, argv, &i, "--env-file", &value)) {
            if (!value || !*value)
                return bad_usage("%s requires a path", arg);
            o->env_file = value;
        } else if (option_value(argc, argv, &i, "--fault", &value)) {
            if (!value || !*value)
                return bad_usage("%s requires a spec such as "
                                 "iam:throttle=0.5", arg);
            if (o->fault_count == FAULTS_MAX)
                return bad_usage("more than 64 %s options", arg);
            o->faults[o->fault_count++] = value;
        } else if (option_value(argc, argv, &i, "--seed", &value)) {
            if (!value || !*value)
                return bad_usage("%s requires a number", arg);
            o->seed = value;
        } else if (option_value(argc, argv, &i, "--clock-speed", &value)) {
            if (!value || parse_speed(value, &o->clock_speed) < 0)
                return bad_usage("invalid --clock-speed value '%s': expected "
                                 "a positive number or 'instant'",
                                 value ? value : "");
        } else if (option_value(argc, argv, &i, "--port", &value)) {
            if (!value)
                return bad_usage("%s requires a number", arg);
            if (parse_port(value, &o->port) < 0)
                return bad_usage("invalid --port value '%s': expected a "
                                 "number from 0 to 65535", value);
        } else {
            return bad_usage("unknown option '%s'", arg);
        }
    }
    return -1;
}

/*
 * Finds the bundled demo world beside the executable: in the source tree
 * (binary at the top or one directory down, as build-asan/ is) or in an
 * installed tree (bin/ next to share/albatross/worlds/).
 */
static int find_demo_world(char *out, size_t len)
{
    static const char *const relative[] = {
        "sandbox/worlds/" DEMO_WORLD,
        "../sandbox/worlds/" DEMO_WORLD,
        "../share/albatross/worlds/" DEMO_WORLD,
    };
    char exe[PATH_MAX / 2], tried[3 * PATH_MAX] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    if (n <= 0) {
        fprintf(stderr, PROG ": cannot find the executable's directory "
                "(/proc/self/exe: %s); pass --world FILE\n", strerror(errno));
        return -1;
    }
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    *slash = '\0';
    for (size_t i = 0; i < sizeof(relative) / sizeof(relative[0]); i++) {
        snprintf(out, len, "%s/%s", exe, relative[i]);
        if (access(out, R_OK) == 0)
            return 0;
        strncat(tried, i ? ", " : "", sizeof(tried) - strlen(tried) - 1);
        strncat(tried, out, sizeof(tried) - strlen(tried) - 1);
    }
    fprintf(stderr, PROG ": demo world not found (tried %s); pass "
            "--world FILE\n", tried);
    return -1;
}

static int make_files(struct files *f, const char *ca_pem)
{
    const char *tmp = getenv("TMPDIR");
    char err[512];

    if (!tmp || !*tmp)
        tmp = "/tmp";
    if ((size_t)snprintf(f->dir, sizeof(f->dir), "%s/" PROG ".XXXXXX", tmp)
        >= sizeof(f->dir)) {
        fprintf(stderr, PROG ": TMPDIR is too long: %s\n", tmp);
        f->dir[0] = '\0';
        return -1;
    }
    if (!mkdtemp(f->dir)) {     /* mkdtemp creates it with mode 0700 */
        fprintf(stderr, PROG ": cannot create a directory from %s: %s\n",
                f->dir, strerror(errno));
        f->dir[0] = '\0';
        return -1;
    }
    snprintf(f->ca, sizeof(f->ca), "%s/ca.pem", f->dir);
    snprintf(f->kubeconfig, sizeof(f->kubeconfig), "%s/kubeconfig", f->dir);
    if (clientenv_write_file(f->ca, ca_pem, strlen(ca_pem), err,
                             sizeof(err)) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return -1;
    }
    return 0;
}

static void remove_files(struct files *f)
{
    if (!f->dir[0])
        return;
    unlink(f->ca);
    unlink(f->kubeconfig);
    if (rmdir(f->dir) < 0)
        fprintf(stderr, PROG ": cannot remove %s: %s\n", f->dir,
                strerror(errno));
}

/* Blocks the stop signals in this thread and every thread it starts, so
 * sigwait in main receives them. */
static void block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

struct client_files {
    unsigned port;
    const struct files *files;
    const char *ca_pem;
    const char *env_file;
};

/* Writes the kubeconfig and the env file; runs under the server's lock,
 * because clusters created by requests already served move w's arrays. */
static int write_client_files(const struct world *w, void *ctx)
{
    const struct client_files *cf = ctx;
    char err[512];

    if (clientenv_write_kubeconfig(w, cf->ca_pem, cf->files->kubeconfig, err,
                                   sizeof(err)) < 0 ||
        clientenv_write_env(w, cf->port, cf->files->ca, cf->files->kubeconfig,
                            cf->env_file, err, sizeof(err)) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return -1;
    }
    return 0;
}

/* Starts serving w and writes the client files; returns NULL after
 * printing what failed. */
static struct sb_server *start(struct world *w, const struct options *o,
                               const struct tls_pems *pems,
                               struct files *files)
{
    struct sb_server *server;
    char err[512];

    free(w->ca_pem);
    w->ca_pem = strdup(pems->ca_cert);  /* DescribeCluster returns it */
    if (!w->ca_pem) {
        fprintf(stderr, PROG ": out of memory\n");
        return NULL;
    }
    if (make_files(files, pems->ca_cert) < 0)
        return NULL;
    if (oidc_issuer_set_key(w, pems->server_key) < 0) {
        fprintf(stderr, PROG ": cannot read the server key for the OIDC "
                "issuers' keys\n");
        return NULL;
    }
    server = sb_server_start(w, o->port, pems->server_cert,
                             pems->server_key, err, sizeof(err));
    if (!server) {
        fprintf(stderr, PROG ": %s\n", err);
        return NULL;
    }
    struct client_files cf = { sb_server_port(server), files, pems->ca_cert,
                               o->env_file };
    if (sb_server_read_world(server, write_client_files, &cf) < 0) {
        sb_server_stop(server);
        return NULL;
    }
    fprintf(stderr, PROG ": serving %s on https://127.0.0.1:%u\n", o->world,
            sb_server_port(server));
    return server;
}

/* Serves w until a stop signal; returns the exit code. */
static int serve(struct world *w, const struct options *o)
{
    struct files files = { .dir = "" };
    struct sb_server *server;
    struct tls_pems pems;
    sigset_t stop;
    char err[512];
    int sig;

    block_stop_signals(&stop);
    if (tls_pems_generate(&pems, err, sizeof(err)) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return 1;
    }
    server = start(w, o, &pems, &files);
    if (server) {
        sigwait(&stop, &sig);
        fprintf(stderr, PROG ": stopping on %s\n", strsignal(sig));
        sb_server_stop(server);
    }
    remove_files(&files);
    tls_pems_cleanup(&pems);
    return server ? 0 : 1;
}

/* Adds the --fault and --seed options to the world file's faults;
 * returns 0, or -1 after printing what is wrong. */
static int add_faults(struct world *w, const struct options *o)
{
    char err[768], summary[1024];
    unsigned long long seed;
    char *end;

    for (size_t i = 0; i < o->fault_count; i++)
        if (fault_parse_spec(&w->faults, o->faults[i], err,
                             sizeof(err)) < 0) {
            bad_usage("%s", err);
            return -1;
        }
    if (o->seed) {
        errno = 0;
        seed = strtoull(o->seed, &end, 10);
        if (*end || errno || o->seed[0] == '-') {
            bad_usage("invalid --seed '%s': use a whole number from 0",
                      o->seed);
            return -1;
        }
        if (fault_set_seed(&w->faults, seed) < 0) {
            fprintf(stderr, PROG ": out of memory\n");
            return -1;
        }
    }
    if (w->faults) {
        fault_describe(w->faults, summary, sizeof(summary));
        fprintf(stderr, PROG ": injecting faults: %s\n", summary);
    }
    return 0;
}

/* Starts the sandbox clock and lets the load balancer controller of
 * each cluster reconcile the world. */
static int start_clock(struct world *w, const struct options *o)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    w->clock_start = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    if (isinf(o->clock_speed))
        memset(&w->timing, 0, sizeof(w->timing));
    else if (o->clock_speed > 0)
        w->clock_speed = o->clock_speed;
    if (controller_tick(w) < 0) {
        fprintf(stderr, PROG ": out of memory while reconciling ingresses\n");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o = { .world = NULL };
    char demo[PATH_MAX], err[1024];
    struct world w;
    int rc = parse_args(argc, argv, &o);

    if (rc >= 0)
        return rc;
    if (!o.world) {
        if (find_demo_world(demo, sizeof(demo)) < 0)
            return 1;
        o.world = demo;
    }
    memset(&w, 0, sizeof(w));
    if (world_load(&w, o.world, err, sizeof(err)) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return 2;   /* invalid input, like an invalid flag */
    }
    if (add_faults(&w, &o) < 0) {
        world_free(&w);
        return 2;
    }
    if (start_clock(&w, &o) < 0) {
        world_free(&w);
        return 1;
    }
    rc = serve(&w, &o);
    world_free(&w);
    return rc;
}
