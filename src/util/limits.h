/* limits.h – every limit of staatsprint in one place.
 *
 * Each limit is either enforced with a clear error (the code in core/err.h, documented
 * in docs/protocol.md) or the structure behind it grows; nothing is cut or dropped
 * silently. Sizes of texts count code points unless they say bytes.
 */
#ifndef SP_LIMITS_H
#define SP_LIMITS_H

/* ---- identifiers (bad_id) ---- */
#define LIMIT_CLIENT_ID 64       /* bytes of a client's command or join id (printable ASCII) */
#define LIMIT_IMPORT_ID 100      /* bytes of the id of an HTTP import (?id=), before "import-" */
#define LIMIT_CMD_ID 120         /* bytes of any command id the core keeps (ev_t.cmd_id): a
                                    longer one is refused by core_exec, never cut */

/* ---- commands ---- */
#define LIMIT_TEAMS_PER_CMD 2048 /* teams one room-wide command acts on; more: too_many_teams */

/* ---- texts (text_too_long), in code points ---- */
#define LIMIT_NOTE 280           /* a sticky note holds one thought */
#define LIMIT_ITEM 280           /* a knelpunt */
#define LIMIT_MILESTONE 280      /* a Crystal Ball milestone */
#define LIMIT_MESSAGE 280        /* a facilitator's message to the room */
#define LIMIT_CLUSTER_NAME 80    /* a cluster's name */
#define LIMIT_MEMBER_NAME 60     /* the name a participant joins with */
#define LIMIT_CANVAS_FIELD 2000  /* one field of a canvas */
#define LIMIT_PERSON_FIELD 200   /* a registration's name, organisation, role */
#define LIMIT_MOTIVATION 4000    /* a registration's motivation */
#define LIMIT_BRIEF 4000         /* one language of a brief field */
#define LIMIT_JUROR_NAME 60
#define LIMIT_JUROR_ORG 200
#define LIMIT_JURY_NOTE 2000

/* ---- the clustering wall (bad_position, bad_message) ---- */
#define LIMIT_WALL_W 1600        /* the wall's width in units, the same on every screen */
#define LIMIT_WALL_H 1000        /* …and its height: 0 <= x <= W, 0 <= y <= H */
#define LIMIT_GROUP_NOTES 50     /* notes one cluster.add may bring into a new group */

/* ---- sizes of a day (bad_message when an import is larger) ---- */
#define LIMIT_EXTRA_TEAMS 5000   /* `serve --teams N`: extra teams of a new default sprint */
#define LIMIT_PEOPLE 200000      /* registrations in one import */

/* ---- input sizes ---- */
#define LIMIT_IMPORT_BYTES (20u * 1024u * 1024u)  /* a CSV import over HTTP (413 too_big) */
#define LIMIT_IMPORT_FILE_BYTES (LIMIT_IMPORT_BYTES * 5u) /* `staatsprint import` reads a file up to this */
#define LIMIT_IMPORT_MAP 511     /* bytes of an import's ?map= (bad_map when longer) */
#define LIMIT_BANK_QUERY 500     /* bytes of an idea-bank search ?q= (bad_message when longer) */
#define LIMIT_IMPORT_ISSUES 2000 /* issues listed in an import's answer; issues_total counts all */
#define LIMIT_MSG_BYTES (64 * 1024)          /* a WebSocket message; bigger: closed with 1009 */
#define LIMIT_MSG_DRAIN_BYTES (8 * 1024 * 1024) /* an oversized message is read and dropped up to this */
#define LIMIT_JSON_DEPTH 16      /* nesting of a message (too_deep) */

/* ---- a connection (net/server.c): past these it is cut off or refused ---- */
#define LIMIT_OUTQ 512           /* own messages waiting while its socket is full: cut off */
#define LIMIT_OUTQ_BYTES (1024 * 1024) /* bytes of own messages waiting: cut off in any case */
#define LIMIT_BACKLOG 100000     /* hub frames waiting for a reader; past this: cut off */
#define LIMIT_RATE_BURST 200.0   /* messages a client may send at once (rate_limited) */
#define LIMIT_RATE_PER_SEC 100.0 /* …and per second after that */
#define LIMIT_LIMITED_IDS 256    /* ids listed in one rate_limited answer (the rest counted) */
#define LIMIT_JOIN_FAILS 10      /* wrong join codes per connection per minute (rate_limited) */
#define LIMIT_ADDR_FAILS 60      /* …and per source address per minute (many connections) */

#endif
