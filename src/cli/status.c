/* status.c – `staatsprint status`: what the nodes of a cluster wrote in the database
 * (store/pg_node.h: the lease and one row per node), as a table. */
#include "cli/status.h"
#include "store/pg_node.h"

#include <stdio.h>
#include <string.h>

#define STALE_MS 10000   /* a row older than this belongs to a node that is gone */

typedef struct {
    int led;
    int64_t head;
} status_t;

static void on_log(void *ud, const char *log, int64_t head, int64_t term,
                   const store_pg_node_lease_t *lease)
{
    status_t *st = ud;
    st->head = head;
    printf("log %s: head %lld, term %lld\n", log, (long long)head, (long long)term);
    if (lease->node[0] == '\0')
        printf("  lease: none (no node has led this log)\n");
    else if (lease->expires_in_ms > 0) {
        printf("  leader %s, lease valid for %lld ms\n", lease->node,
               (long long)lease->expires_in_ms);
        st->led = 1;
    } else
        printf("  no leader: the lease of %s expired %lld ms ago\n", lease->node,
               (long long)-lease->expires_in_ms);
    printf("  %-18s %-9s %10s %8s %10s  %s\n", "node", "role", "head", "behind", "seen", "url");
}

static void on_node(void *ud, const store_pg_node_row_t *r)
{
    const status_t *st = ud;
    printf("  %-18s %-9s %10lld %8lld %7lld ms  %s%s\n", r->node, r->role, (long long)r->head,
           (long long)(st->head > r->head ? st->head - r->head : 0), (long long)r->seen_ms_ago,
           r->url, r->seen_ms_ago > STALE_MS ? "  (gone)" : "");
}

int cli_status(int argc, char **argv)
{
    const char *db = NULL;
    for (int i = 0; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "--db") == 0)
            db = argv[i + 1];
    if (db == NULL || (strncmp(db, "postgresql://", 13) != 0 && strncmp(db, "postgres://", 11) != 0)) {
        fprintf(stderr, "staatsprint status --db postgresql://…\n"
                        "  toont de nodes van een cluster (shows the nodes of a cluster)\n");
        return 2;
    }
    status_t st = {0, 0};
    char err[600];
    if (store_pg_node_status(db, on_log, on_node, &st, err, sizeof err) != 0) {
        fprintf(stderr, "staatsprint: geen staatsprint-cluster in deze database (no staatsprint "
                        "cluster in this database): %s\n", err);
        return 1;
    }
    return st.led ? 0 : 1;
}
