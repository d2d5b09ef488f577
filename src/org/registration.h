/* registration.h – turn a form tool's CSV export into validated, de-duplicated registrations.
 *
 * Flow: reg_mapping_guess() proposes which column holds which field (Dutch and English
 * headers of Google Forms, Microsoft Forms, Eventbrite, LimeSurvey, Typeform and Jotform,
 * see reg_header_table()), with a score per guess; the
 * organiser may override any entry; reg_import() then reads every row, validates it and
 * returns the people plus a report of every rejected row and every warning, each with
 * the physical line number where the row starts. A preview is the same call with
 * max_rows set and de-duplication off.
 *
 * Decisions (documented here because the organiser sees their effect):
 * - A row is rejected (not imported) when it has no name, holds invalid UTF-8, has a
 *   field over the size caps, or an unclosed quote. Other problems are warnings and the
 *   person is kept.
 * - A value in the e-mail column that is not an e-mail address is never used as one: the
 *   person is kept without an address and the row gets the warning invalid_email. Such
 *   a person cannot be de-duplicated (there is no key).
 * - E-mail addresses may hold non-ASCII characters (RFC 6531); they are compared after
 *   Unicode normalisation (NFC) and case folding (reg_email_normalise()). A value such
 *   as "anonymous" (Microsoft Forms without sign-in) counts as no address.
 * - A repeated e-mail address under the same name (compared case-, accent- and
 *   space-insensitively) keeps the latest registration: the later timestamp when both
 *   rows have a readable one in the timestamp column, otherwise the later row in the
 *   file. The replaced row is reported as duplicate_replaced with the line of the
 *   registration that won. One address under two different names is two people who
 *   share an address: both are kept, and both rows get the warning shared_email so the
 *   organiser decides; they are never merged. Rows without an address are the same
 *   person when name and organisation are the same (normalised); the later one counts.
 * - Challenge answers are matched per distinct answer (reg_match_choice()); the
 *   organiser sees every distinct answer with its count and match and may override any
 *   (reg_options_t.overrides). An answer that matches nothing is dropped with the
 *   warning unknown_choice; a second choice equal to the first is dropped with
 *   same_choice. A lone second choice stays a second choice: "first choice" figures
 *   count only real first choices.
 * - A too long motivation is cut at 4,000 bytes (warning truncated); a name,
 *   organisation or role over 200 bytes rejects the row (too_long).
 */
#ifndef SP_ORG_REGISTRATION_H
#define SP_ORG_REGISTRATION_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    REG_F_NAME, REG_F_FIRST_NAME, REG_F_LAST_NAME, REG_F_EMAIL, REG_F_ORGANISATION,
    REG_F_ROLE, REG_F_MOTIVATION, REG_F_CHOICE1, REG_F_CHOICE2, REG_F_CAPTAIN,
    REG_F_TIMEKEEPER, REG_F_TIMESTAMP,
    REG_F_COUNT
} reg_field_t;

/* Stable field code ("first_name") and Dutch/English label, for the mapping screen. */
const char *reg_field_code(reg_field_t f);
const char *reg_field_nl(reg_field_t f);
const char *reg_field_en(reg_field_t f);

/* column[f] is the 0-based column of field f, or -1 when unmapped. score[f] is the
 * guess's confidence 0..100 (100 = the header is a known name for the field; 0 = not
 * guessed or set by the organiser). */
typedef struct {
    int column[REG_F_COUNT];
    int score[REG_F_COUNT];
} reg_mapping_t;

void reg_mapping_clear(reg_mapping_t *m);

/* Guesses the mapping from header cells. Each column serves at most one field (the
 * strongest guesses win), except that one question about both captain and timekeeper
 * serves both. The organiser may override any entry, also mapping a column twice. */
void reg_mapping_guess(reg_mapping_t *m, const char *const *headers, size_t n);

/* Normalises text for matching: case-folded, accents stripped, runs of non-alphanumeric
 * characters turned into one space, trimmed. Returns a new string (caller frees). */
char *reg_normalise(const char *s);

/* A challenge the organiser has set up; its index in the array is its group number. */
typedef struct {
    const char *id;          /* e.g. "gemeentelijke-it" (borrowed) */
    const char *title;       /* e.g. "Moderniseren van de gemeentelijke IT" (borrowed) */
    const char *title_en;    /* e.g. "Modernising municipal IT" (borrowed); may be NULL */
} reg_challenge_t;

enum { REG_CHOICE_NONE = -1, REG_CHOICE_UNKNOWN = -2 };

/* Matches a form answer to a challenge: by id, by title (case- and accent-insensitive,
 * either one a prefix of the other, or the title inside the answer), by number
 * ("2", "Challenge 2", "Uitdaging 2: …"), or by its words without stop words such as
 * "tussen", "van", "de" ("Slimme IT-samenwerking markt en overheid"), against the Dutch
 * and the English title: the answer's words
 * all in one title, or one title's words all in the answer. Returns the index,
 * REG_CHOICE_NONE for an empty answer, REG_CHOICE_UNKNOWN when nothing matches or the
 * match is ambiguous. */
int reg_match_choice(const char *value, const reg_challenge_t *ch, size_t n);

/* Returns true when s is an e-mail address we accept (a pragmatic subset of RFC 5322
 * with RFC 6531's UTF-8: one @, a dot-atom local part that may hold non-ASCII
 * characters, a domain of at least two labels). */
bool reg_email_valid(const char *s);

/* The form addresses are compared in: Unicode NFC, case-folded ("Björn.Smit@X.nl" and
 * "björn.smit@x.nl" are one address). Returns a new string (caller frees). */
char *reg_email_normalise(const char *s);

/* One entry of the table of headers the form tools write (for tests and the docs):
 * the tool, the header as the tool writes it, and the field it is read as
 * (REG_F_COUNT: a column the import leaves alone, like "Order #" or "Network ID"). */
typedef struct {
    const char *tool, *header;
    reg_field_t field;
} reg_header_t;

/* The table; *n gets its length. */
const reg_header_t *reg_header_table(size_t *n);

/* Reads a yes/no answer ("Ja", "Yes", "x", "Graag", "Nee" …); also true when the answer
 * names the role itself ("Teamcaptain", "Tijdbewaker") for a combined question. */
bool reg_parse_willing(const char *value, reg_field_t f);

typedef struct {
    char *name;              /* never NULL */
    char *email;             /* lower-case, NULL when missing or invalid */
    char *organisation;      /* "" when missing */
    char *role;
    char *motivation;
    int choice1, choice2;    /* challenge index or REG_CHOICE_NONE */
    bool willing_captain, willing_timekeeper;
    long line;               /* where the row starts in the file */
    char *timestamp;         /* the raw timestamp cell, "" when none */
} reg_person_t;

typedef enum {
    REG_R_MISSING_NAME, REG_R_INVALID_UTF8, REG_R_TOO_LONG, REG_R_UNCLOSED_QUOTE,
    REG_R_INVALID_EMAIL, REG_R_UNKNOWN_CHOICE, REG_R_SAME_CHOICE, REG_R_TRUNCATED,
    REG_R_DUPLICATE_REPLACED, REG_R_SHARED_EMAIL,
    REG_R_COUNT
} reg_reason_t;

/* Stable code ("invalid_email"), Dutch and English sentence for a reason. */
const char *reg_reason_code(reg_reason_t r);
const char *reg_reason_nl(reg_reason_t r);
const char *reg_reason_en(reg_reason_t r);
/* True when the reason rejects the row (the person is not imported). */
bool reg_reason_rejects(reg_reason_t r);

typedef struct {
    long line;               /* the row concerned */
    reg_reason_t reason;
    reg_field_t field;       /* the field concerned, REG_F_COUNT when the whole row */
    long other_line;         /* duplicate_replaced: the row kept; shared_email: the other row; else 0 */
    char *value;             /* the offending value, cut to 80 bytes; may be NULL */
} reg_issue_t;

/* Called every few hundred rows and once at the end; rows_done counts data rows. */
typedef void (*reg_progress_cb)(void *ud, size_t rows_done, size_t bytes_done, size_t bytes_total);

/* The organiser's decision for one distinct answer: its normalised text (reg_normalise())
 * and the challenge index, or REG_CHOICE_NONE to ignore the answer on purpose. */
typedef struct {
    const char *answer;
    int choice;
} reg_override_t;

/* A distinct answer in the choice columns, with how often it occurs (first and second
 * choice columns together) and the challenge it was read as. */
typedef struct {
    char *text;              /* the answer as first written in the file */
    char *key;               /* its normalised form: what an override names */
    size_t count, first, second;   /* rows in total, in the first / second choice column */
    int choice;              /* challenge index, REG_CHOICE_UNKNOWN, or REG_CHOICE_NONE when ignored */
    bool overridden;         /* the organiser chose */
} reg_answer_t;

typedef struct {
    const reg_mapping_t *mapping;     /* NULL = use the guess */
    const reg_override_t *overrides;  /* the organiser's answer matches; may be NULL */
    size_t n_overrides;
    const reg_challenge_t *challenges;
    size_t n_challenges;
    size_t max_rows;                  /* 0 = all; a preview sets e.g. 10 */
    bool keep_duplicates;             /* true for a preview: show rows as they are */
    reg_progress_cb progress;
    void *progress_ud;
} reg_options_t;

typedef struct {
    reg_person_t *people;    /* the imported registrations, in file order */
    size_t n_people;
    reg_issue_t *issues;     /* rejections and warnings, by line */
    size_t n_issues;
    size_t rows;             /* data rows read (blank lines not counted) */
    size_t replaced;         /* registrations replaced by a later one with the same e-mail */
    size_t rejected;
    size_t warnings;
    reg_answer_t *answers;   /* distinct choice answers, most frequent first */
    size_t n_answers;
    size_t no_choice;        /* people imported without any recognised choice */
    size_t shared_email;     /* rows whose address another name also uses */
    char **headers;          /* the header cells */
    size_t n_headers;
    reg_mapping_t mapping;   /* the mapping used */
    char delimiter;
    bool had_bom;
} reg_import_t;

enum {
    REG_E_EMPTY = -1,        /* no header row */
    REG_E_NO_NAME_COLUMN = -2,
    REG_E_BAD_MAPPING = -3,  /* a mapped column does not exist */
    REG_E_BAD_HEADER = -4,   /* the header row itself is unreadable (e.g. invalid UTF-8) */
};

const char *reg_err_code(int e);
const char *reg_err_nl(int e);
const char *reg_err_en(int e);

/* Imports data[0..len) (borrowed). On success returns 0 and fills *out, which the
 * caller releases with reg_import_free(). On failure returns a REG_E_* value and *out
 * holds nothing to free (it is zeroed). */
int reg_import(const char *data, size_t len, const reg_options_t *opt, reg_import_t *out);
void reg_import_free(reg_import_t *imp);

#endif
