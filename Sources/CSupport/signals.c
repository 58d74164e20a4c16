// Signal handlers that remove temporary outputs and turn a bus error in a mapped file into a clear error.
// Everything here is async-signal-safe: fixed-size tables of pointers, write(2), unlink(2), _exit(2).
#include "CSupport.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SLOTS 64

static _Atomic(char *) cleanup_paths[SLOTS];
struct mapping { _Atomic(uintptr_t) base; size_t size; _Atomic(char *) path; };
static struct mapping mappings[SLOTS];

int lexel_cleanup_add(const char *path) {
    char *copy = strdup(path);
    if (!copy) return -1;
    for (int i = 0; i < SLOTS; i++) {
        char *expected = NULL;
        if (atomic_compare_exchange_strong(&cleanup_paths[i], &expected, copy)) return i;
    }
    free(copy);
    return -1;
}

void lexel_cleanup_remove(int slot) {
    if (slot < 0 || slot >= SLOTS) return;
    char *p = atomic_exchange(&cleanup_paths[slot], NULL);
    free(p);
}

int lexel_mapping_add(const void *base, size_t size, const char *path) {
    char *copy = strdup(path);
    if (!copy) return -1;
    for (int i = 0; i < SLOTS; i++) {
        char *expected = NULL;
        if (atomic_compare_exchange_strong(&mappings[i].path, &expected, copy)) {
            mappings[i].size = size;
            atomic_store(&mappings[i].base, (uintptr_t)base);
            return i;
        }
    }
    free(copy);
    return -1;
}

void lexel_mapping_remove(int slot) {
    if (slot < 0 || slot >= SLOTS) return;
    atomic_store(&mappings[slot].base, 0);
    char *p = atomic_exchange(&mappings[slot].path, NULL);
    free(p);
}

static void say(const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(2, s, n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

static void unlink_all(void) {
    for (int i = 0; i < SLOTS; i++) {
        char *p = atomic_load(&cleanup_paths[i]);
        if (p) unlink(p);
    }
}

static void on_stop(int sig) {
    unlink_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_bus(int sig, siginfo_t *info, void *context) {
    (void)sig; (void)context;
    uintptr_t at = (uintptr_t)info->si_addr;
    const char *name = NULL;
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t b = atomic_load(&mappings[i].base);
        if (b && at >= b && at - b < mappings[i].size) { name = atomic_load(&mappings[i].path); break; }
    }
    say("lexel: error: ");
    if (name) { say(name); say(": "); }
    say(name ? "the file was truncated or replaced by another program while in use (bus error in its memory map); "
               "nothing was written\n"
             : "bus error: a memory-mapped file was truncated or replaced while in use; nothing was written\n");
    unlink_all();
    _exit(1);
}

static atomic_int installed = 0;

void lexel_signals_library_mode(void) { atomic_store(&installed, 1); }

void lexel_signals_install(void) {
    if (atomic_exchange(&installed, 1)) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    int stops[] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) {
        struct sigaction old;
        // A signal the parent set to be ignored (nohup) stays ignored.
        if (sigaction(stops[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sa.sa_handler = on_stop;
        sigaction(stops[i], &sa, NULL);
    }
    // A parent may have blocked them (threads of a test runner, a supervisor): a handler that never runs would
    // leave temporary files behind. Threads started later inherit this thread's mask.
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGINT);
    sigaddset(&unblock, SIGTERM);
    sigaddset(&unblock, SIGHUP);
    sigaddset(&unblock, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
    sa.sa_handler = NULL;
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    signal(SIGPIPE, SIG_DFL);
}
