/* conns.c: open connections and the late-head watchdog (see conns.h). */
#include "core/bg.h"
#include "server/conns.h"
#include "server/metrics.h"

#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

struct conn {
    MHD_socket fd;
    int64_t since_ms;  /* when it began waiting for a request head */
    bool in_request;   /* its head is whole: the body and handler have bounds of their own */
    bool cut;          /* shut down by the watchdog already */
    struct conn *prev, *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct conn *all;
static int64_t head_ms;
static bool running;
static pthread_t watcher;

static int64_t now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static struct conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return info != NULL ? info->socket_context : NULL;
}

void conns_on_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                     enum MHD_ConnectionNotificationCode code)
{
    struct conn *k = *socket_context;
    const union MHD_ConnectionInfo *info;

    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (info == NULL)
            return;
        k = bg_xcalloc(1, sizeof(*k));
        k->fd = info->connect_fd;
        k->since_ms = now_ms();
        pthread_mutex_lock(&lock);
        k->next = all;
        if (all != NULL)
            all->prev = k;
        all = k;
        pthread_mutex_unlock(&lock);
        *socket_context = k;
        return;
    }
    if (k == NULL)
        return;
    pthread_mutex_lock(&lock);
    if (k->prev != NULL)
        k->prev->next = k->next;
    else
        all = k->next;
    if (k->next != NULL)
        k->next->prev = k->prev;
    pthread_mutex_unlock(&lock);
    free(k);
    *socket_context = NULL;
}

static void set_in_request(struct MHD_Connection *c, bool in)
{
    struct conn *k = conn_of(c);

    if (k == NULL)
        return;
    pthread_mutex_lock(&lock);
    k->in_request = in;
    k->since_ms = now_ms();
    pthread_mutex_unlock(&lock);
}

void conns_request_started(struct MHD_Connection *c)
{
    set_in_request(c, true);
}

void conns_request_done(struct MHD_Connection *c)
{
    set_in_request(c, false);
}

/* Whether a whole request head waits unread in the socket: its worker is
 * busy with another connection's request, and the client is not the slow
 * one (a slow client's bytes are read as they come by an idle worker). */
static bool head_waiting(MHD_socket fd)
{
    static char buf[16384]; /* the watchdog's own */
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);

    for (ssize_t i = 0; i + 3 < n; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
            return true;
    }
    return false;
}

/* Every 100 ms: shut down the connections whose head is late. */
static void *watch(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&lock);
    while (running) {
        struct timespec until;
        int64_t now = now_ms();

        for (struct conn *k = all; k != NULL; k = k->next) {
            if (k->in_request || k->cut || now - k->since_ms < head_ms || head_waiting(k->fd))
                continue;
            /* the socket is still libmicrohttpd's: its close notice waits for this lock */
            shutdown(k->fd, SHUT_RDWR);
            k->cut = true;
            metrics_connection_cut();
        }
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100 * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&wake, &lock, &until);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int conns_start(double head_timeout)
{
    head_ms = (int64_t)(head_timeout * 1000.0);
    running = true;
    if (pthread_create(&watcher, NULL, watch, NULL) != 0) {
        running = false;
        return -1;
    }
    return 0;
}

void conns_stop(void)
{
    pthread_mutex_lock(&lock);
    if (!running) {
        pthread_mutex_unlock(&lock);
        return;
    }
    running = false;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(watcher, NULL);
}
