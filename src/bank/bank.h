/* bank.h – the idea bank: the shared results of archived sprints, searchable across sprints.
 *
 * The bank lives in the same database as the sprints' logs (a SQLite file or PostgreSQL),
 * in tables of its own (bank_sprint, bank_entry and the engine's full-text index). It is
 * filled only from the report document of an archived sprint (src/report/model.c, the one
 * projection: public, redacted data – never a private note, an unrevealed vote, a juror's
 * score or a person's name) whose organiser chose `bank: true`, with organisations only
 * when `orgs: true`. Nothing here is specific to one engine.
 *
 * An entry is a JSON object (docs/bank-schema.json):
 *   {"sprint","sprint_title","date","challenge","challenge_title","kind","team","team_name",
 *    "text","count","chosen","won","detail","orgs","url"}
 * with kind one of knelpunt, hkw, probleem, idee, gekozen, jury.
 *
 * Full-text search is the engine's own index: SQLite FTS5 with our tokenizer ("staatsprint",
 * registered through the fts5_api, built on bank_terms below), PostgreSQL
 * to_tsvector('dutch', text) plus our terms, in a GIN index. Both engines rank by relevance
 * (bm25 in SQLite, ts_rank in PostgreSQL) and return the same shape.
 *
 * Thread-safety: a bank_t is used by one thread at a time; open one per thread.
 */
#ifndef SP_BANK_H
#define SP_BANK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum {
    BANK_OK = 0,
    BANK_EIO = -1,      /* the database failed */
    BANK_EOPEN = -2,    /* cannot open the database */
    BANK_EINVAL = -3    /* a bad argument (unknown kind, bad filter) */
};

/* The publication choices of an archived sprint (event sprint.archived / sprint.published). */
typedef struct {
    int archived;   /* the log holds sprint.archived */
    int bank;       /* its shared results enter the bank */
    int orgs;       /* organisations of teams may be shown */
    int pub;        /* its bank entries are on the public page */
} bank_flags_t;

typedef struct bank bank_t;

/* Opens the bank of database db ("postgresql://…"/"postgres://…" or a SQLite path) and
 * creates its tables when missing. Returns 0 or a negative BANK_E*, with a reason in err. */
int bank_open(const char *db, bank_t **out, char *err, size_t errlen);
void bank_close(bank_t *b);   /* accepts NULL */

/* Whether kind is one of the six kinds of entry. */
int bank_kind_ok(const char *kind);

/* ---- extraction (pure) ------------------------------------------------------------------ */

/* The bank entries of one sprint's report document doc (built with names = 0), as a new
 * JSON array the caller owns. sprint is the sprint's id (its log id); orgs says whether the
 * organisations of a team's members may be shown. Never fails (aborts on no memory). */
json_t *bank_extract(const json_t *doc, const char *sprint, int orgs);

/* ---- the analysis behind both indexes (pure) ---------------------------------------------- */

/* Called for each term of a text. colocated = 1 for an alternative at the position of the
 * term before it (a compound's part, a verb's base form, the word's concept class). */
typedef int (*bank_term_cb)(void *ud, const char *term, size_t len, int colocated);

typedef struct bank_an bank_an_t;   /* holds a stemmer: one per thread */
bank_an_t *bank_an_new(void);
void bank_an_free(bank_an_t *a);

/* The terms of text: every word but stop words, lower-case and without accents, synonyms
 * mapped (text_vocab), stemmed (Snowball Dutch); as colocated alternatives: the base form
 * of a past participle ("ingelogd" -> stem of "inloggen"), the stems of a compound's parts
 * (text_dict: "aanvraagformulier" -> "aanvraag", "formulier") and the word's concept
 * class ("#inloggen"). Returns 0, or what cb returned when it was non-zero. */
int bank_terms(bank_an_t *a, const char *text, size_t len, bank_term_cb cb, void *ud);

/* The query's words as the engines need them: the normalised keys of its tokens that are
 * not stop words, each of letters and digits only, at most max. Returns a JSON array of
 * strings (caller owns it). */
json_t *bank_query_words(const char *q, size_t max);

/* text with every word that shares a term with the query words marked as "[word]", cut
 * to about 240 bytes around the first mark (… at a cut). Returns a malloc'd string. */
char *bank_snippet(bank_an_t *a, const char *text, const json_t *words);

/* ---- the index ---------------------------------------------------------------------------- */

/* Replaces the entries of sprint by entries (an array of entry objects; may be empty),
 * remembering head (the log head it was built from) and the flags, in one transaction. */
int bank_put(bank_t *b, const char *sprint, int64_t head, const bank_flags_t *fl, const json_t *entries);
/* Removes sprint and its entries. */
int bank_drop(bank_t *b, const char *sprint);
/* The head the sprint was indexed at (0 when absent) and its flags. */
int bank_indexed(bank_t *b, const char *sprint, int64_t *head, bank_flags_t *fl);

typedef struct {
    const char *q;          /* the query (required; words as bank_query_words) */
    const char *sprint;     /* filters: NULL or "" for any */
    const char *challenge;
    const char *kind;
    int chosen;             /* -1 any, 0, 1 */
    int won;                /* -1 any, 0, 1 */
    int public_only;        /* only sprints with public: true */
    int limit;              /* 1..100 (default 20 when 0) */
    int offset;             /* >= 0 */
} bank_query_t;

/* Searches: *out = {"total": n, "hits": [entry + "snippet" + "rank"]}, best first (rank:
 * higher is better). An empty query (only stop words) gives no hits. */
int bank_search(bank_t *b, const bank_query_t *q, json_t **out);

/* Every entry (of public sprints only when public_only), in sprint, team, kind order:
 * a new array in *out. kinds, when not NULL, is a NULL-ended list of kinds to keep. */
int bank_all(bank_t *b, int public_only, const char *const *kinds, json_t **out);

/* How many sprints have public: true in the bank. */
int bank_public_count(bank_t *b, int *n);

/* ---- keeping the bank in step with the logs ------------------------------------------------- */

/* Reads the flags of a log (sprint.archived, then every sprint.published) from store db. */

/* For every log of database db: an archived sprint with bank: true whose head differs from
 * what was indexed is (re)indexed from its report document; a sprint that is not archived
 * or has bank: false is dropped. *changed (may be NULL) counts sprints indexed or dropped.
 * Returns 0 or a negative BANK_E*, with a reason on stderr. */
int bank_sync(const char *db, int *changed);

/* The priors for the core (core_set_priors): entries of kinds idee, gekozen and probleem
 * of every sprint in the bank (the bank holds only what organisers published). */
int bank_priors(const char *db, json_t **out);

/* `staatsprint export --all --db FILE [--json OUT] [--csv OUT]`: syncs, then writes every
 * entry of public sprints as JSON (docs/bank-schema.json) and/or CSV. Returns the exit
 * status. */
int bank_export_cli(int argc, char **argv);

#endif
