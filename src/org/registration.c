/* registration.c – header guessing, row validation and de-duplication of form exports. */
#include "org/registration.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "org/csv.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define REG_MAX_SHORT 200      /* name, organisation, role */
#define REG_MAX_MOTIVATION 4000
#define REG_ISSUE_VALUE 80

/* ---- fields, reasons, errors ---- */

static const struct { const char *code, *nl, *en; } reg_fields[REG_F_COUNT] = {
    [REG_F_NAME] = {"name", "Naam", "Name"},
    [REG_F_FIRST_NAME] = {"first_name", "Voornaam", "First name"},
    [REG_F_LAST_NAME] = {"last_name", "Achternaam", "Last name"},
    [REG_F_EMAIL] = {"email", "E-mailadres", "E-mail address"},
    [REG_F_ORGANISATION] = {"organisation", "Organisatie", "Organisation"},
    [REG_F_ROLE] = {"role", "Functie", "Role"},
    [REG_F_MOTIVATION] = {"motivation", "Motivatie", "Motivation"},
    [REG_F_CHOICE1] = {"choice1", "Eerste keuze", "First choice"},
    [REG_F_CHOICE2] = {"choice2", "Tweede keuze", "Second choice"},
    [REG_F_CAPTAIN] = {"willing_captain", "Wil teamcaptain zijn", "Willing to be captain"},
    [REG_F_TIMEKEEPER] = {"willing_timekeeper", "Wil tijdbewaker zijn", "Willing to keep time"},
    [REG_F_TIMESTAMP] = {"timestamp", "Tijdstempel", "Timestamp"},
};

const char *reg_field_code(reg_field_t f) { return f < REG_F_COUNT ? reg_fields[f].code : "row"; }
const char *reg_field_nl(reg_field_t f) { return f < REG_F_COUNT ? reg_fields[f].nl : "Regel"; }
const char *reg_field_en(reg_field_t f) { return f < REG_F_COUNT ? reg_fields[f].en : "Row"; }

static const struct { const char *code, *nl, *en; bool rejects; } reg_reasons[REG_R_COUNT] = {
    [REG_R_MISSING_NAME] = {"missing_name", "Er staat geen naam in deze regel; de regel is overgeslagen.",
                            "This row has no name; it was skipped.", true},
    [REG_R_INVALID_UTF8] = {"invalid_utf8", "Deze regel bevat ongeldige tekens (geen UTF-8); de regel is overgeslagen.",
                            "This row contains invalid characters (not UTF-8); it was skipped.", true},
    [REG_R_TOO_LONG] = {"too_long", "Een waarde in deze regel is te lang; de regel is overgeslagen.",
                        "A value in this row is too long; it was skipped.", true},
    [REG_R_UNCLOSED_QUOTE] = {"unclosed_quote", "Een aanhalingsteken wordt niet gesloten; de regel is overgeslagen.",
                              "A quotation mark is never closed; the row was skipped.", true},
    [REG_R_INVALID_EMAIL] = {"invalid_email", "Dit is geen geldig e-mailadres; de deelnemer is zonder e-mailadres opgenomen.",
                             "This is not a valid e-mail address; the participant was added without one.", false},
    [REG_R_UNKNOWN_CHOICE] = {"unknown_choice", "Deze keuze hoort bij geen enkele challenge; de keuze is genegeerd.",
                              "This choice matches no challenge; it was ignored.", false},
    [REG_R_SAME_CHOICE] = {"same_choice", "De tweede keuze is gelijk aan de eerste; alleen de eerste telt.",
                           "The second choice equals the first; only the first counts.", false},
    [REG_R_TRUNCATED] = {"truncated", "De tekst was te lang en is ingekort.",
                         "The text was too long and has been shortened.", false},
    [REG_R_DUPLICATE_REPLACED] = {"duplicate_replaced", "Dit e-mailadres schreef zich later opnieuw in; de latere aanmelding telt.",
                                  "This e-mail address registered again later; the later registration counts.", false},
    [REG_R_SHARED_EMAIL] = {"shared_email", "Een andere naam gebruikt hetzelfde e-mailadres; beide zijn los opgenomen. Controleer of het twee mensen zijn.",
                            "Another name uses the same e-mail address; both were added separately. Check whether they are two people.", false},
};

const char *reg_reason_code(reg_reason_t r) { return r < REG_R_COUNT ? reg_reasons[r].code : "internal"; }
const char *reg_reason_nl(reg_reason_t r) { return r < REG_R_COUNT ? reg_reasons[r].nl : "Onbekende fout."; }
const char *reg_reason_en(reg_reason_t r) { return r < REG_R_COUNT ? reg_reasons[r].en : "Unknown error."; }
bool reg_reason_rejects(reg_reason_t r) { return r < REG_R_COUNT && reg_reasons[r].rejects; }

static const struct { int e; const char *code, *nl, *en; } reg_errs[] = {
    {REG_E_EMPTY, "import_empty", "Het bestand is leeg: er is geen kopregel gevonden.",
     "The file is empty: no header row was found."},
    {REG_E_NO_NAME_COLUMN, "import_no_name_column",
     "Geen kolom met namen gevonden. Kies in de koppeling welke kolom de naam (of voor- en achternaam) bevat.",
     "No column with names was found. Choose in the mapping which column holds the name (or first and last name)."},
    {REG_E_BAD_MAPPING, "import_bad_mapping", "De koppeling verwijst naar een kolom die niet bestaat.",
     "The mapping refers to a column that does not exist."},
    {REG_E_BAD_HEADER, "import_bad_header", "De kopregel is onleesbaar (ongeldige tekens of te lang).",
     "The header row is unreadable (invalid characters or too long)."},
};

static int reg_err_index(int e)
{
    for (size_t i = 0; i < sizeof reg_errs / sizeof reg_errs[0]; i++)
        if (reg_errs[i].e == e)
            return (int)i;
    return -1;
}

const char *reg_err_code(int e) { int i = reg_err_index(e); return i < 0 ? "internal" : reg_errs[i].code; }
const char *reg_err_nl(int e) { int i = reg_err_index(e); return i < 0 ? "Onbekende fout." : reg_errs[i].nl; }
const char *reg_err_en(int e) { int i = reg_err_index(e); return i < 0 ? "Unknown error." : reg_errs[i].en; }

/* ---- normalisation ---- */

/* s mapped by utf8proc with the options given; ASCII lower-casing if utf8proc refuses. */
static char *map_utf8(const char *s, utf8proc_option_t options)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)strlen(s), &out, options);
    if (n < 0) {
        char *c = xstrdup(s);
        for (char *p = c; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        return c;
    }
    char *c = xstrdup((const char *)out);
    free(out);
    return c;
}

/* Case-folds and strips accents. */
static char *fold(const char *s)
{
    return map_utf8(s, UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
}

/* Letters, digits and every non-ASCII byte (folded letters beyond ASCII) count as word bytes. */
static bool word_byte(unsigned char c)
{
    return c >= 0x80 || isalnum(c);
}

char *reg_normalise(const char *s)
{
    char *f = fold(s ? s : "");
    size_t w = 0;
    bool gap = false;
    for (size_t r = 0; f[r]; r++) {
        unsigned char c = (unsigned char)f[r];
        if (word_byte(c)) {
            if (gap && w > 0)
                f[w++] = ' ';
            gap = false;
            f[w++] = (char)c;
        } else
            gap = true;
    }
    f[w] = '\0';
    return f;
}

/* The normalised form without spaces: "E-mail adres" → "emailadres". */
static char *compact(const char *s)
{
    char *f = reg_normalise(s);
    size_t w = 0;
    for (size_t r = 0; f[r]; r++)
        if (f[r] != ' ')
            f[w++] = f[r];
    f[w] = '\0';
    return f;
}

/* ---- header guessing ---- */

typedef struct {
    reg_field_t field;
    const char *pattern;     /* compact form */
    int score;               /* for an exact match; a prefix scores 20 less, containment 40 less */
} reg_pattern_t;

static const reg_pattern_t reg_patterns[] = {
    {REG_F_NAME, "naam", 100}, {REG_F_NAME, "volledigenaam", 100}, {REG_F_NAME, "name", 100},
    {REG_F_NAME, "fullname", 100}, {REG_F_NAME, "jenaam", 95}, {REG_F_NAME, "uwnaam", 95},
    {REG_F_NAME, "jouwnaam", 95}, {REG_F_NAME, "yourname", 95}, {REG_F_NAME, "naamdeelnemer", 100},
    {REG_F_NAME, "voorenachternaam", 100}, {REG_F_NAME, "attendeename", 100},
    {REG_F_NAME, "hoeheetje", 95}, {REG_F_NAME, "whatisyourname", 100},
    {REG_F_FIRST_NAME, "voornaam", 100}, {REG_F_FIRST_NAME, "firstname", 100},
    {REG_F_FIRST_NAME, "givenname", 100}, {REG_F_FIRST_NAME, "roepnaam", 90},
    {REG_F_LAST_NAME, "achternaam", 100}, {REG_F_LAST_NAME, "lastname", 100},
    {REG_F_LAST_NAME, "surname", 100}, {REG_F_LAST_NAME, "familyname", 100},
    {REG_F_LAST_NAME, "familienaam", 100},
    {REG_F_EMAIL, "emailadres", 100}, {REG_F_EMAIL, "email", 100}, {REG_F_EMAIL, "emailaddress", 100},
    {REG_F_EMAIL, "mailadres", 95}, {REG_F_EMAIL, "mail", 90},
    {REG_F_ORGANISATION, "organisatie", 100}, {REG_F_ORGANISATION, "organisation", 100},
    {REG_F_ORGANISATION, "organization", 100}, {REG_F_ORGANISATION, "company", 100},
    {REG_F_ORGANISATION, "bedrijf", 95}, {REG_F_ORGANISATION, "werkgever", 95},
    {REG_F_ORGANISATION, "employer", 95}, {REG_F_ORGANISATION, "naamorganisatie", 100},
    {REG_F_ORGANISATION, "instelling", 90}, {REG_F_ORGANISATION, "organisatienaam", 100},
    {REG_F_ROLE, "functie", 100}, {REG_F_ROLE, "rol", 100}, {REG_F_ROLE, "role", 100},
    {REG_F_ROLE, "jobtitle", 100}, {REG_F_ROLE, "functietitel", 100}, {REG_F_ROLE, "functienaam", 100},
    {REG_F_ROLE, "job", 90}, {REG_F_ROLE, "title", 80},
    /* Question texts that name the organisation only to place the role in it. */
    {REG_F_ROLE, "watisjerol", 100}, {REG_F_ROLE, "watisjefunctie", 100}, {REG_F_ROLE, "watisuwrol", 100},
    {REG_F_ROLE, "watisuwfunctie", 100}, {REG_F_ROLE, "whatisyourrole", 100},
    {REG_F_ROLE, "whatisyourjob", 100}, {REG_F_ROLE, "rolbinnen", 95}, {REG_F_ROLE, "yourrole", 95},
    {REG_F_MOTIVATION, "motivatie", 100}, {REG_F_MOTIVATION, "motivation", 100},
    {REG_F_MOTIVATION, "waaromwiljemeedoen", 100}, {REG_F_MOTIVATION, "whydoyouwant", 95},
    {REG_F_MOTIVATION, "motiveert", 100}, {REG_F_MOTIVATION, "motivates", 100},
    {REG_F_MOTIVATION, "watmotiveert", 100}, {REG_F_MOTIVATION, "whatmotivates", 100},
    /* Choices. Which of the two a header means is settled by choice_rank() below. */
    {REG_F_CHOICE1, "eerstekeuze", 100}, {REG_F_CHOICE1, "1ekeuze", 100}, {REG_F_CHOICE1, "keuze1", 100},
    {REG_F_CHOICE1, "firstchoice", 100}, {REG_F_CHOICE1, "choice1", 100},
    {REG_F_CHOICE1, "voorkeurchallenge", 100}, {REG_F_CHOICE1, "challengevoorkeur", 100},
    {REG_F_CHOICE1, "challenge1", 95}, {REG_F_CHOICE1, "eerstevoorkeur", 100}, {REG_F_CHOICE1, "voorkeur1", 100},
    {REG_F_CHOICE1, "1stchoice", 100}, {REG_F_CHOICE1, "welkechallenge", 100},
    {REG_F_CHOICE1, "whichchallenge", 100}, {REG_F_CHOICE1, "challengechoice", 100},
    {REG_F_CHOICE1, "challengepreference", 100}, {REG_F_CHOICE1, "preferredchallenge", 100},
    {REG_F_CHOICE1, "voorkeur", 85}, {REG_F_CHOICE1, "keuze", 80}, {REG_F_CHOICE1, "rang1", 95},
    {REG_F_CHOICE1, "rank1", 95},
    {REG_F_CHOICE2, "tweedekeuze", 100}, {REG_F_CHOICE2, "2ekeuze", 100}, {REG_F_CHOICE2, "keuze2", 100},
    {REG_F_CHOICE2, "secondchoice", 100}, {REG_F_CHOICE2, "choice2", 100},
    {REG_F_CHOICE2, "challenge2", 95}, {REG_F_CHOICE2, "tweedevoorkeur", 100}, {REG_F_CHOICE2, "voorkeur2", 100},
    {REG_F_CHOICE2, "2ndchoice", 100}, {REG_F_CHOICE2, "rang2", 95}, {REG_F_CHOICE2, "rank2", 95},
    {REG_F_CAPTAIN, "teamcaptain", 100}, {REG_F_CAPTAIN, "captain", 100},
    {REG_F_CAPTAIN, "aanvoerder", 95}, {REG_F_CAPTAIN, "ikwilteamcaptainzijn", 100},
    {REG_F_TIMEKEEPER, "tijdbewaker", 100}, {REG_F_TIMEKEEPER, "timekeeper", 100},
    {REG_F_TIMEKEEPER, "tijdbewaarder", 100}, {REG_F_TIMEKEEPER, "timekeeping", 95},
    {REG_F_TIMESTAMP, "tijdstempel", 100}, {REG_F_TIMESTAMP, "timestamp", 100},
    {REG_F_TIMESTAMP, "orderdate", 100}, {REG_F_TIMESTAMP, "besteldatum", 100},
    {REG_F_TIMESTAMP, "completiontime", 100}, {REG_F_TIMESTAMP, "tijdvanvoltooien", 100},
    {REG_F_TIMESTAMP, "voltooiingstijd", 100}, {REG_F_TIMESTAMP, "starttime", 85},
    {REG_F_TIMESTAMP, "begintijd", 85}, {REG_F_TIMESTAMP, "aanmelddatum", 95},
    {REG_F_TIMESTAMP, "registrationdate", 95}, {REG_F_TIMESTAMP, "submittedat", 100},
    {REG_F_TIMESTAMP, "submissiondate", 100}, {REG_F_TIMESTAMP, "datesubmitted", 100},
    {REG_F_TIMESTAMP, "submitdate", 100}, {REG_F_TIMESTAMP, "datumverstuurd", 100},
    {REG_F_TIMESTAMP, "datumingediend", 100}, {REG_F_TIMESTAMP, "inzenddatum", 100},
    {REG_F_TIMESTAMP, "startdate", 80}, {REG_F_TIMESTAMP, "datumgestart", 80},
};

/* 2 when a header that asks for a choice asks for the second one ("Tweede keuze",
 * "Voorkeur challenge 2", "[Rang 2]"), else 1. */
static int choice_rank(const char *compact_header)
{
    static const char *const second[] = {"tweede", "2e", "second", "2nd", "keuze2", "voorkeur2",
                                         "challenge2", "rang2", "rank2", "choice2", "daarna", "alternatief"};
    for (size_t i = 0; i < sizeof second / sizeof second[0]; i++)
        if (strstr(compact_header, second[i]) != NULL)
            return 2;
    return 1;
}


void reg_mapping_clear(reg_mapping_t *m)
{
    for (int f = 0; f < REG_F_COUNT; f++) {
        m->column[f] = -1;
        m->score[f] = 0;
    }
}

static int pattern_score(const char *header, const reg_pattern_t *p)
{
    size_t hl = strlen(header), pl = strlen(p->pattern);
    if (hl == 0)
        return 0;
    if (strcmp(header, p->pattern) == 0)
        return p->score;
    if (hl > pl && strncmp(header, p->pattern, pl) == 0)
        return p->score - 20;
    /* Short patterns ("rol", "naam", "mail") hide inside unrelated words
     * ("controle", "voornaam"), so only longer ones may match inside a header. */
    if (pl >= 5 && strstr(header, p->pattern) != NULL)
        return p->score - 40;
    return 0;
}

typedef struct {
    int score, field, column, pattern_len;
} reg_candidate_t;

static int candidate_cmp(const void *a, const void *b)
{
    const reg_candidate_t *x = a, *y = b;
    if (x->score != y->score)
        return y->score - x->score;
    if (x->pattern_len != y->pattern_len)
        return y->pattern_len - x->pattern_len;
    if (x->column != y->column)
        return x->column - y->column;
    return x->field - y->field;
}

void reg_mapping_guess(reg_mapping_t *m, const char *const *headers, size_t n)
{
    reg_mapping_clear(m);
    size_t np = sizeof reg_patterns / sizeof reg_patterns[0];
    reg_candidate_t *cand = xmalloc((n * REG_F_COUNT + 1) * sizeof *cand);
    size_t nc = 0;
    for (size_t c = 0; c < n; c++) {
        char *h = compact(headers[c] ? headers[c] : "");
        int best[REG_F_COUNT] = {0}, best_len[REG_F_COUNT] = {0};
        for (size_t i = 0; i < np; i++) {
            int s = pattern_score(h, &reg_patterns[i]);
            int f = reg_patterns[i].field;
            int pl = (int)strlen(reg_patterns[i].pattern);
            if (s > best[f] || (s == best[f] && s > 0 && pl > best_len[f])) {
                best[f] = s;
                best_len[f] = pl;
            }
        }
        /* A choice question is one of the two: the header says which. */
        int ch = best[REG_F_CHOICE1] >= best[REG_F_CHOICE2] ? REG_F_CHOICE1 : REG_F_CHOICE2;
        if (best[ch] > 0) {
            int want = choice_rank(h) == 2 ? REG_F_CHOICE2 : REG_F_CHOICE1;
            best[want] = best[ch];
            best_len[want] = best_len[ch];
            best[want == REG_F_CHOICE1 ? REG_F_CHOICE2 : REG_F_CHOICE1] = 0;
        }
        for (int f = 0; f < REG_F_COUNT; f++)
            if (best[f] > 0)
                cand[nc++] = (reg_candidate_t){best[f], f, (int)c, best_len[f]};
        free(h);
    }
    qsort(cand, nc, sizeof *cand, candidate_cmp);
    bool *used = xcalloc(n + 1, sizeof *used);
    for (size_t i = 0; i < nc; i++) {
        if (m->column[cand[i].field] >= 0 || used[cand[i].column])
            continue;
        m->column[cand[i].field] = cand[i].column;
        m->score[cand[i].field] = cand[i].score;
        used[cand[i].column] = true;
    }
    /* One question may ask both ("Wil je teamcaptain of tijdbewaker zijn?"); its answers
     * then name the role, which reg_parse_willing() understands, so both fields share it. */
    for (size_t i = 0; i < nc; i++) {
        int f = cand[i].field, other = f == REG_F_CAPTAIN ? REG_F_TIMEKEEPER : f == REG_F_TIMEKEEPER ? REG_F_CAPTAIN : -1;
        if (other >= 0 && m->column[f] < 0 && m->column[other] == cand[i].column) {
            m->column[f] = cand[i].column;
            m->score[f] = cand[i].score;
        }
    }
    free(used);
    free(cand);
}

/* ---- values ---- */

static bool all_digits(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* The first word of s copied into w (at most cap-1 bytes); returns the rest after a space. */
static const char *first_word(const char *s, char *w, size_t cap)
{
    size_t i = 0;
    while (s[i] && s[i] != ' ' && i + 1 < cap) {
        w[i] = s[i];
        i++;
    }
    w[i] = '\0';
    while (s[i] && s[i] != ' ')
        i++;
    return s[i] == ' ' ? s + i + 1 : s + i;
}

static int choice_by_number(const char *v, size_t n)
{
    static const char *const lead[] = {"challenge", "uitdaging", "thema", "groep", "group", "keuze",
                                       "optie", "option", "nr", "nummer", "number"};
    char w[32];
    const char *rest = first_word(v, w, sizeof w);
    for (size_t i = 0; i < sizeof lead / sizeof lead[0] && !all_digits(w); i++)
        if (strcmp(w, lead[i]) == 0) {
            rest = first_word(rest, w, sizeof w);
            break;
        }
    (void)rest;
    if (!all_digits(w) || strlen(w) > 6)
        return REG_CHOICE_UNKNOWN;
    long k = strtol(w, NULL, 10);
    return k >= 1 && (size_t)k <= n ? (int)(k - 1) : REG_CHOICE_UNKNOWN;
}

static bool word_prefix(const char *s, const char *prefix)
{
    size_t pl = strlen(prefix);
    return strncmp(s, prefix, pl) == 0 && (s[pl] == '\0' || s[pl] == ' ');
}

/* Words that say nothing about which challenge is meant. */
static bool stop_word(const char *w, size_t len)
{
    static const char *const stop[] = {"tussen", "van", "de", "het", "een", "en", "aan", "in", "op", "voor",
                                       "met", "bij", "om", "te", "der", "den", "the", "of", "and", "between",
                                       "a", "an", "to", "for", "with", "in", "on", "challenge", "uitdaging",
                                       "thema", "theme"};
    for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++)
        if (strlen(stop[i]) == len && strncmp(stop[i], w, len) == 0)
            return true;
    return false;
}

/* The meaningful words of a normalised text, as one string of words each followed by a
 * space ("slimme it samenwerking markt overheid "); *count gets their number. */
static char *key_words(const char *norm, size_t *count)
{
    size_t len = strlen(norm), w = 0;
    char *out = xmalloc(len + 2);
    *count = 0;
    for (const char *p = norm; *p;) {
        size_t l = strcspn(p, " ");
        if (l > 0 && !stop_word(p, l)) {
            memcpy(out + w, p, l);
            w += l;
            out[w++] = ' ';
            (*count)++;
        }
        p += l;
        while (*p == ' ')
            p++;
    }
    out[w] = '\0';
    return out;
}

/* True when every word of a (a key_words() string) is a word of b. */
static bool words_within(const char *a, const char *b)
{
    for (const char *p = a; *p;) {
        size_t l = strcspn(p, " ");
        bool in = false;
        for (const char *q = b; *q && !in;) {
            size_t m = strcspn(q, " ");
            in = m == l && strncmp(p, q, l) == 0;
            q += m + (q[m] == ' ');
        }
        if (!in)
            return false;
        p += l + (p[l] == ' ');
    }
    return true;
}

static int choice_by_words(const char *v, const reg_challenge_t *ch, size_t n)
{
    size_t nv, nt;
    char *av = key_words(v, &nv);
    int found = REG_CHOICE_UNKNOWN, hits = 0;
    for (size_t i = 0; i < n && nv > 0; i++) {
        bool hit = false;
        for (int lang = 0; lang < 2; lang++) {
            const char *title = lang == 0 ? ch[i].title : ch[i].title_en;
            if (title == NULL)
                continue;
            char *t = reg_normalise(title);
            char *at = key_words(t, &nt);
            /* A lone short word ("IT") is in every title: one word must be a real one. */
            bool answer_in_title = (nv >= 2 || strlen(av) > 5) && words_within(av, at);
            bool title_in_answer = nt >= 1 && words_within(at, av);
            hit = hit || answer_in_title || title_in_answer;
            free(at);
            free(t);
        }
        if (hit) {
            hits++;
            found = (int)i;
        }
    }
    free(av);
    return hits == 1 ? found : REG_CHOICE_UNKNOWN;
}

int reg_match_choice(const char *value, const reg_challenge_t *ch, size_t n)
{
    char *v = reg_normalise(value);
    int found = REG_CHOICE_UNKNOWN;
    if (*v == '\0') {
        free(v);
        return REG_CHOICE_NONE;
    }
    /* 1: exact id or title. */
    for (size_t i = 0; i < n && found < 0; i++) {
        char *id = reg_normalise(ch[i].id), *t = reg_normalise(ch[i].title);
        char *te = reg_normalise(ch[i].title_en ? ch[i].title_en : "");
        if ((*id && strcmp(v, id) == 0) || (*t && strcmp(v, t) == 0) || (*te && strcmp(v, te) == 0))
            found = (int)i;
        free(id);
        free(t);
        free(te);
    }
    /* 2: a number, alone or after a word like "Challenge". */
    if (found < 0)
        found = choice_by_number(v, n);
    /* 3: one a prefix of the other, or the title inside the answer; must be unique. */
    if (found < 0) {
        int hits = 0;
        for (size_t i = 0; i < n; i++) {
            char *t = reg_normalise(ch[i].title);
            bool hit = *t && ((strlen(v) >= 4 && word_prefix(t, v)) || word_prefix(v, t) || strstr(v, t));
            if (hit) {
                hits++;
                found = (int)i;
            }
            free(t);
        }
        if (hits != 1)
            found = REG_CHOICE_UNKNOWN;
    }
    /* 4: the words that carry meaning: all of the answer's in one title, or all of one
     * title's in the answer; must be unique. */
    if (found < 0)
        found = choice_by_words(v, ch, n);
    free(v);
    return found;
}

/* RFC 6531 lets the local part hold UTF-8 beyond ASCII; the CSV reader has already
 * refused invalid UTF-8. */
static bool email_local_byte(unsigned char c)
{
    return c >= 0x80 || isalnum(c) || (c != 0 && strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL);
}

char *reg_email_normalise(const char *s)
{
    return map_utf8(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
}

bool reg_email_valid(const char *s)
{
    size_t len = strlen(s);
    const char *at = strchr(s, '@');
    if (len > 254 || at == NULL || strchr(at + 1, '@') != NULL)
        return false;
    size_t local = (size_t)(at - s);
    if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.')
        return false;
    for (size_t i = 0; i < local; i++)
        if (!email_local_byte((unsigned char)s[i]) || (s[i] == '.' && s[i + 1] == '.'))
            return false;
    const char *d = at + 1;
    size_t labels = 0, label_len = 0, last_len = 0;
    bool alpha = false, last_alpha = false;   /* a top-level domain is never all digits */
    for (const char *p = d;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '.' || c == '\0') {
            if (label_len == 0 || p[-1] == '-' || label_len > 63)
                return false;
            labels++;
            last_len = label_len;
            last_alpha = alpha;
            label_len = 0;
            alpha = false;
            if (c == '\0')
                break;
            continue;
        }
        if (!(isalnum(c) || c == '-' || c >= 0x80) || (label_len == 0 && c == '-'))
            return false;
        if (isalpha(c) || c >= 0x80)
            alpha = true;
        label_len++;
    }
    return labels >= 2 && last_len >= 2 && last_alpha;
}

bool reg_parse_willing(const char *value, reg_field_t f)
{
    char *v = reg_normalise(value);
    static const char *const no[] = {"nee", "no", "niet", "geen", "not", "n", "false", "0", "liever niet"};
    static const char *const yes[] = {"ja", "yes", "j", "y", "true", "1", "x", "graag", "zeker", "ok", "oke"};
    bool r = false, decided = false;
    for (size_t i = 0; i < sizeof no / sizeof no[0] && !decided; i++)
        if (word_prefix(v, no[i]))
            decided = true;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0] && !decided; i++)
        if (word_prefix(v, yes[i]))
            decided = r = true;
    if (!decided) {
        char *c = compact(value);
        if (f == REG_F_CAPTAIN)
            r = strstr(c, "captain") || strstr(c, "aanvoerder");
        else if (f == REG_F_TIMEKEEPER)
            r = strstr(c, "tijdbewa") || strstr(c, "timekeep");
        free(c);
    }
    free(v);
    return r;
}

/* ---- timestamps ---- */

typedef struct {
    int n[6];                /* the first six numbers: date parts then h, m, s */
    int count;
    bool pm, am;
    char sep;                /* separator after the first number */
} reg_stamp_t;

static reg_stamp_t stamp_parse(const char *s)
{
    reg_stamp_t t = {{0}, 0, false, false, 0};
    const char *p = s;
    while (*p && t.count < 6) {
        if (isdigit((unsigned char)*p)) {
            long v = 0;
            while (isdigit((unsigned char)*p) && v < 100000)
                v = v * 10 + (*p++ - '0');
            while (isdigit((unsigned char)*p))
                p++;
            if (t.count == 0)
                t.sep = *p;
            t.n[t.count++] = (int)v;
        } else
            p++;
    }
    char *low = reg_normalise(s);
    t.pm = strstr(low, " pm") || strstr(low, " p m") || strstr(low, " nm");
    t.am = strstr(low, " am") || strstr(low, " a m") || strstr(low, " vm");
    free(low);
    return t;
}

enum { ORDER_DMY, ORDER_MDY };

/* A sortable key, or -1 when the cell holds no date. */
static int64_t stamp_key(const reg_stamp_t *t, int order)
{
    if (t->count < 3)
        return -1;
    int y, mo, d;
    if (t->n[0] >= 1000) {
        y = t->n[0];
        mo = t->n[1];
        d = t->n[2];
    } else {
        y = t->n[2];
        mo = order == ORDER_DMY ? t->n[1] : t->n[0];
        d = order == ORDER_DMY ? t->n[0] : t->n[1];
    }
    if (y < 100)
        y += 2000;
    int h = t->n[3], mi = t->n[4], sec = t->n[5];
    if (t->pm && h < 12)
        h += 12;
    if (t->am && h == 12)
        h = 0;
    return ((((((int64_t)y * 13 + mo) * 32 + d) * 24 + h) * 60 + mi) * 60) + sec;
}

/* Picks day-month or month-day for the whole column: a first number above 12 proves
 * day-first, a second number above 12 proves month-first; otherwise "/" suggests the
 * American order and "-" or "." the Dutch one. */
static int stamp_order(const reg_stamp_t *ts, size_t n)
{
    int slash = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        if (ts[i].count < 3 || ts[i].n[0] >= 1000)
            continue;
        if (ts[i].n[0] > 12)
            return ORDER_DMY;
        if (ts[i].n[1] > 12)
            return ORDER_MDY;
        if (ts[i].sep == '/')
            slash++;
        else
            other++;
    }
    return slash > other ? ORDER_MDY : ORDER_DMY;
}

/* ---- import ---- */

typedef struct {
    reg_import_t *out;
    size_t issues_cap, people_cap, answers_cap;
    strmap_t answers;        /* normalised answer → index into out->answers */
} reg_ctx_t;

static void add_issue(reg_ctx_t *c, long line, reg_reason_t r, reg_field_t f, const char *value, long other)
{
    reg_import_t *o = c->out;
    xgrow((void **)&o->issues, &c->issues_cap, o->n_issues + 1, sizeof *o->issues);
    reg_issue_t *is = &o->issues[o->n_issues++];
    is->line = line;
    is->reason = r;
    is->field = f;
    is->other_line = other;
    is->value = NULL;
    if (value) {
        size_t n = strlen(value);
        if (n > REG_ISSUE_VALUE) {
            n = REG_ISSUE_VALUE;
            while (n > 0 && ((unsigned char)value[n] & 0xC0) == 0x80)
                n--;   /* never cut inside a UTF-8 sequence */
        }
        is->value = xstrndup(value, n);
    }
    if (reg_reason_rejects(r))
        o->rejected++;
    else
        o->warnings++;
}

static char *cell(const csv_row_t *row, int col)
{
    if (col < 0 || (size_t)col >= row->n_fields)
        return xstrdup("");
    const char *s = row->fields[col];
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

static void person_free(reg_person_t *p)
{
    free(p->name);
    free(p->email);
    free(p->organisation);
    free(p->role);
    free(p->motivation);
    free(p->timestamp);
}

static char *join_name(const csv_row_t *row, const reg_mapping_t *m)
{
    char *name = cell(row, m->column[REG_F_NAME]);
    if (*name)
        return name;
    free(name);
    char *first = cell(row, m->column[REG_F_FIRST_NAME]), *last = cell(row, m->column[REG_F_LAST_NAME]);
    size_t n = strlen(first) + strlen(last) + 2;
    name = xmalloc(n);
    snprintf(name, n, "%s%s%s", first, *first && *last ? " " : "", last);
    free(first);
    free(last);
    return name;
}

/* The challenge an answer means: the organiser's override, else reg_match_choice(); each
 * distinct answer is matched once and counted in out->answers. */
static int answer_choice(reg_ctx_t *c, const char *v, reg_field_t f, const reg_options_t *opt)
{
    char *key = reg_normalise(v);
    if (*key == '\0') {
        free(key);
        return REG_CHOICE_NONE;
    }
    reg_import_t *o = c->out;
    int64_t at;
    if (!strmap_get(&c->answers, key, &at)) {
        xgrow((void **)&o->answers, &c->answers_cap, o->n_answers + 1, sizeof *o->answers);
        reg_answer_t *a = &o->answers[o->n_answers];
        memset(a, 0, sizeof *a);
        a->text = xstrdup(v);
        a->key = xstrdup(key);
        a->choice = reg_match_choice(v, opt->challenges, opt->n_challenges);
        for (size_t i = 0; i < opt->n_overrides; i++) {
            char *k = reg_normalise(opt->overrides[i].answer);
            if (strcmp(k, key) == 0) {
                int ch = opt->overrides[i].choice;
                a->choice = ch >= 0 && (size_t)ch < opt->n_challenges ? ch : REG_CHOICE_NONE;
                a->overridden = true;
            }
            free(k);
        }
        at = (int64_t)o->n_answers++;
        strmap_put(&c->answers, key, at);
    }
    free(key);
    reg_answer_t *a = &o->answers[at];
    a->count++;
    if (f == REG_F_CHOICE1)
        a->first++;
    else
        a->second++;
    return a->choice;
}

static int match_choice(reg_ctx_t *c, const csv_row_t *row, reg_field_t f, const reg_options_t *opt)
{
    char *v = cell(row, c->out->mapping.column[f]);
    int k = answer_choice(c, v, f, opt);
    if (k == REG_CHOICE_UNKNOWN) {
        add_issue(c, row->line, REG_R_UNKNOWN_CHOICE, f, v, 0);
        k = REG_CHOICE_NONE;
    }
    free(v);
    return k;
}

static reg_reason_t row_error_reason(int e)
{
    switch (e) {
    case CSV_E_UTF8: return REG_R_INVALID_UTF8;
    case CSV_E_QUOTE: return REG_R_UNCLOSED_QUOTE;
    default: return REG_R_TOO_LONG;
    }
}

/* Reads one data row into *p. Returns false when the row is rejected. */
static bool read_person(reg_ctx_t *c, const csv_row_t *row, const reg_options_t *opt, reg_person_t *p)
{
    const reg_mapping_t *m = &c->out->mapping;
    memset(p, 0, sizeof *p);
    if (row->error) {
        add_issue(c, row->line, row_error_reason(row->error), REG_F_COUNT, NULL, 0);
        return false;
    }
    p->line = row->line;
    p->name = join_name(row, m);
    p->organisation = cell(row, m->column[REG_F_ORGANISATION]);
    p->role = cell(row, m->column[REG_F_ROLE]);
    p->motivation = cell(row, m->column[REG_F_MOTIVATION]);
    p->timestamp = cell(row, m->column[REG_F_TIMESTAMP]);
    if (*p->name == '\0') {
        add_issue(c, row->line, REG_R_MISSING_NAME, REG_F_NAME, NULL, 0);
        person_free(p);
        return false;
    }
    const struct { char *v; reg_field_t f; } shorts[] = {
        {p->name, REG_F_NAME}, {p->organisation, REG_F_ORGANISATION}, {p->role, REG_F_ROLE}};
    for (size_t i = 0; i < 3; i++)
        if (strlen(shorts[i].v) > REG_MAX_SHORT) {
            add_issue(c, row->line, REG_R_TOO_LONG, shorts[i].f, shorts[i].v, 0);
            person_free(p);
            return false;
        }
    size_t ml = strlen(p->motivation);
    if (ml > REG_MAX_MOTIVATION) {
        ml = REG_MAX_MOTIVATION;
        while (ml > 0 && ((unsigned char)p->motivation[ml] & 0xC0) == 0x80)
            ml--;
        p->motivation[ml] = '\0';
        add_issue(c, row->line, REG_R_TRUNCATED, REG_F_MOTIVATION, NULL, 0);
    }
    char *mail = cell(row, m->column[REG_F_EMAIL]);
    const char *addr = strncasecmp(mail, "mailto:", 7) == 0 ? mail + 7 : mail;
    /* Microsoft Forms writes "anonymous" when the form does not ask to sign in. */
    if (strcasecmp(addr, "anonymous") == 0 || strcasecmp(addr, "anoniem") == 0)
        addr = "";
    if (*addr && reg_email_valid(addr))
        p->email = reg_email_normalise(addr);
    else if (*addr)
        add_issue(c, row->line, REG_R_INVALID_EMAIL, REG_F_EMAIL, mail, 0);
    free(mail);
    p->choice1 = match_choice(c, row, REG_F_CHOICE1, opt);
    p->choice2 = match_choice(c, row, REG_F_CHOICE2, opt);
    if (p->choice2 >= 0 && p->choice2 == p->choice1) {
        add_issue(c, row->line, REG_R_SAME_CHOICE, REG_F_CHOICE2, NULL, 0);
        p->choice2 = REG_CHOICE_NONE;
    }
    char *cap = cell(row, m->column[REG_F_CAPTAIN]), *tk = cell(row, m->column[REG_F_TIMEKEEPER]);
    p->willing_captain = reg_parse_willing(cap, REG_F_CAPTAIN);
    p->willing_timekeeper = reg_parse_willing(tk, REG_F_TIMEKEEPER);
    free(cap);
    free(tk);
    return true;
}

static int issue_cmp(const void *a, const void *b)
{
    const reg_issue_t *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (int)x->reason - (int)y->reason;
}

/* The key a row is de-duplicated by: address and name, or without an address name and
 * organisation. */
static char *person_key(const reg_person_t *p)
{
    char *n = reg_normalise(p->name), *o = reg_normalise(p->email ? "" : p->organisation);
    size_t len = strlen(p->email ? p->email : "") + strlen(n) + strlen(o) + 4;
    char *k = xmalloc(len);
    /* Without an address a person is their name and organisation. */
    snprintf(k, len, "%s\n%s\n%s", p->email ? p->email : "", n, o);
    free(n);
    free(o);
    return k;
}

/* Flags every row whose address another name also uses (each row once, with the line of
 * the first row of that address; that first row once, with the line of the second). */
static void flag_shared(reg_ctx_t *c, const bool *drop)
{
    reg_import_t *o = c->out;
    strmap_t first;          /* address → first kept row with it */
    strmap_init(&first);
    for (size_t i = 0; i < o->n_people; i++) {
        const reg_person_t *p = &o->people[i];
        int64_t j;
        if (p->email == NULL || drop[i])
            continue;
        if (!strmap_get(&first, p->email, &j)) {
            strmap_put(&first, p->email, (int64_t)i);
            continue;
        }
        add_issue(c, p->line, REG_R_SHARED_EMAIL, REG_F_EMAIL, p->email, o->people[j].line);
        o->shared_email++;
        /* The first row of the address is flagged once, when its second name appears. */
        char mark[300];
        snprintf(mark, sizeof mark, "\x01%s", p->email);
        if (!strmap_get(&first, mark, NULL)) {
            strmap_put(&first, mark, 1);
            add_issue(c, o->people[j].line, REG_R_SHARED_EMAIL, REG_F_EMAIL, p->email, p->line);
            o->shared_email++;
        }
    }
    strmap_free(&first);
}

/* Keeps the latest registration per address and name; see the header for the rule. */
static void dedupe(reg_ctx_t *c)
{
    reg_import_t *o = c->out;
    size_t n = o->n_people;
    reg_stamp_t *ts = xcalloc(n + 1, sizeof *ts);
    for (size_t i = 0; i < n; i++)
        ts[i] = stamp_parse(o->people[i].timestamp);
    int order = stamp_order(ts, n);
    bool *drop = xcalloc(n + 1, sizeof *drop);
    strmap_t seen;
    strmap_init(&seen);
    for (size_t i = 0; i < n; i++) {
        reg_person_t *p = &o->people[i];
        int64_t j;
        char *key = person_key(p);
        if (!strmap_get(&seen, key, &j)) {
            strmap_put(&seen, key, (int64_t)i);
            free(key);
            continue;
        }
        int64_t kj = stamp_key(&ts[j], order), ki = stamp_key(&ts[i], order);
        bool older = kj >= 0 && ki >= 0 && ki < kj;   /* this row's stamp is earlier: it loses */
        size_t lose = older ? i : (size_t)j, win = older ? (size_t)j : i;
        drop[lose] = true;
        o->replaced++;
        add_issue(c, o->people[lose].line, REG_R_DUPLICATE_REPLACED, REG_F_EMAIL, o->people[lose].email,
                  o->people[win].line);
        strmap_put(&seen, key, (int64_t)win);
        free(key);
    }
    flag_shared(c, drop);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (drop[i])
            person_free(&o->people[i]);
        else
            o->people[w++] = o->people[i];
    }
    o->n_people = w;
    strmap_free(&seen);
    free(drop);
    free(ts);
}

static int answer_cmp(const void *a, const void *b)
{
    const reg_answer_t *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

static int check_mapping(const reg_mapping_t *m, size_t n_headers)
{
    for (int f = 0; f < REG_F_COUNT; f++)
        if (m->column[f] < -1 || m->column[f] >= (int)n_headers)
            return REG_E_BAD_MAPPING;
    if (m->column[REG_F_NAME] < 0 && m->column[REG_F_FIRST_NAME] < 0 && m->column[REG_F_LAST_NAME] < 0)
        return REG_E_NO_NAME_COLUMN;
    return 0;
}

int reg_import(const char *data, size_t len, const reg_options_t *opt, reg_import_t *out)
{
    static const reg_options_t none = {0};
    if (opt == NULL)
        opt = &none;
    memset(out, 0, sizeof *out);
    reg_ctx_t c = {.out = out};
    strmap_init(&c.answers);
    csv_reader_t *r = csv_reader_new(data, len, NULL);
    csv_row_t row;
    int rc = 0;
    if (csv_reader_next(r, &row) != 1) {
        rc = REG_E_EMPTY;
        goto fail;
    }
    if (row.error) {
        rc = REG_E_BAD_HEADER;
        goto fail;
    }
    out->delimiter = csv_reader_delimiter(r);
    out->had_bom = csv_reader_had_bom(r);
    out->n_headers = row.n_fields;
    out->headers = xcalloc(row.n_fields + 1, sizeof *out->headers);
    for (size_t i = 0; i < row.n_fields; i++)
        out->headers[i] = xstrdup(row.fields[i]);
    if (opt->mapping)
        out->mapping = *opt->mapping;
    else
        reg_mapping_guess(&out->mapping, (const char *const *)out->headers, out->n_headers);
    rc = check_mapping(&out->mapping, out->n_headers);
    if (rc < 0)
        goto fail;
    while ((opt->max_rows == 0 || out->rows < opt->max_rows) && csv_reader_next(r, &row) == 1) {
        out->rows++;
        reg_person_t p;
        if (read_person(&c, &row, opt, &p)) {
            xgrow((void **)&out->people, &c.people_cap, out->n_people + 1, sizeof *out->people);
            out->people[out->n_people++] = p;
        }
        if (opt->progress && out->rows % 500 == 0)
            opt->progress(opt->progress_ud, out->rows, csv_reader_offset(r), len);
    }
    if (!opt->keep_duplicates)
        dedupe(&c);
    for (size_t i = 0; i < out->n_people; i++)
        if (out->people[i].choice1 < 0 && out->people[i].choice2 < 0)
            out->no_choice++;
    if (out->n_answers > 1)
        qsort(out->answers, out->n_answers, sizeof *out->answers, answer_cmp);
    if (out->n_issues > 1)
        qsort(out->issues, out->n_issues, sizeof *out->issues, issue_cmp);
    if (opt->progress)
        opt->progress(opt->progress_ud, out->rows, csv_reader_offset(r), len);
    csv_reader_free(r);
    strmap_free(&c.answers);
    return 0;
fail:
    csv_reader_free(r);
    strmap_free(&c.answers);
    reg_import_free(out);
    return rc;
}

void reg_import_free(reg_import_t *imp)
{
    if (imp == NULL)
        return;
    for (size_t i = 0; i < imp->n_people; i++)
        person_free(&imp->people[i]);
    free(imp->people);
    for (size_t i = 0; i < imp->n_issues; i++)
        free(imp->issues[i].value);
    free(imp->issues);
    for (size_t i = 0; i < imp->n_answers; i++) {
        free(imp->answers[i].text);
        free(imp->answers[i].key);
    }
    free(imp->answers);
    for (size_t i = 0; i < imp->n_headers; i++)
        free(imp->headers[i]);
    free(imp->headers);
    memset(imp, 0, sizeof *imp);
}
