/* core.h – the pure core: commands in, events out, state as a fold over events.
 *
 * core does no I/O. The network layer hands it commands with the identity of the
 * connection (who_t) and the current time; core validates them against the state
 * and the roles, turns them into events (ev_t) with the next sequence numbers and
 * applies them to its state at once. The caller makes the events durable and only
 * then tells anyone about them. On start the caller replays the log through
 * core_apply().
 *
 * Invariants
 *  1. core_head() is the seq of the last applied event; every applied event had
 *     seq == head + 1 at the time.
 *  2. A command either fails with a negative error and changes nothing, or succeeds
 *     and its events are applied in order.
 *  3. The state depends only on the sequence of events applied (replaying the log
 *     gives the same state, also for ids and counters).
 *  4. (actor, command id) pairs seen in the log map to the seq of their last event,
 *     so a retried command is recognised and answered with the same seq.
 */
#ifndef SP_CORE_H
#define SP_CORE_H

#include "util/limits.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Audiences: who may see an event. The id names the room, team, member or juror. */
typedef enum {
    AUD_SERVER = 0,  /* never sent: secrets and bookkeeping */
    AUD_ALL = 1,     /* everyone of the sprint, screens included */
    AUD_ROOM = 2,    /* the teams of a room, its facilitators, the organiser */
    AUD_TEAM = 3,    /* the members of a team, its room's facilitators, the organiser */
    AUD_MEMBER = 4,  /* one member (all their sessions) */
    AUD_STAFF = 5,   /* every facilitator and the organiser */
    AUD_ORG = 6,     /* the organiser */
    AUD_JURY = 7,    /* every juror */
    AUD_JUROR = 8,   /* one juror */
    AUD_SCREEN = 9,  /* the projector screens */
    AUD_DESK = 10    /* the facilitators of one room (id) and the organiser */
} aud_kind_t;

const char *aud_name(int kind);

typedef enum {
    ROLE_NONE = 0,
    ROLE_ORGANISER,
    ROLE_FACILITATOR,
    ROLE_PARTICIPANT,
    ROLE_JURY,
    ROLE_SCREEN
} role_t;

const char *role_name(role_t r);

/* The identity of a connection, set only from its token. */
typedef struct {
    role_t role;
    int member;     /* index, or -1 */
    int team;       /* index, or -1 */
    int room;       /* index, or -1 (a facilitator's room, a participant's team's room) */
    char actor[24]; /* "m4", "org", "fac:r1", "jury", "screen" */
} who_t;

typedef struct {
    int64_t seq;
    int64_t ts;          /* ms since the Unix epoch */
    char type[40];
    int aud_kind;
    char aud_id[24];
    char actor[24];
    char cmd_id[LIMIT_CMD_ID + 1];
    json_t *data;        /* owned by the event */
} ev_t;

typedef struct {
    ev_t *v;
    size_t n, cap;
} evlist_t;

/* Frees the data of every event and empties the list (keeps the buffer). */
void evlist_clear(evlist_t *l);
void evlist_free(evlist_t *l);

typedef struct core core_t;

/* A new, empty core (head 0). Aborts on allocation failure. */
core_t *core_new(void);
void core_free(core_t *c);   /* accepts NULL */

int64_t core_head(const core_t *c);

/* Applies one event (from the log or just decided). ev is borrowed. Returns 0, or
 * SP_E_BAD_SETUP when ev->seq is not head+1 (nothing changes then). */
int core_apply(core_t *c, const ev_t *ev);

/* Secrets made by the caller (core has no randomness): tokens are given with their
 * hashes; core keeps the hashes for authentication and shows the tokens only to the
 * organiser. Team codes are given in team order. */
typedef struct {
    const char *role;      /* "organiser", "facilitator", "jury", "screen" */
    const char *room;      /* room id for a facilitator, else NULL */
    const char *token;
    const char *hash;
} core_link_t;

typedef struct {
    const core_link_t *links;
    size_t nlinks;
    const char *const *team_codes;   /* one per team of the description */
    size_t ncodes;
} core_secrets_t;

/* Sets up a new sprint from its description (data/events/README.md) on an empty
 * core. Returns 0 with the set-up events applied and appended to out, or a negative
 * error (SP_E_BAD_SETUP) with nothing changed. */
int core_setup(core_t *c, const json_t *desc, const core_secrets_t *sec, int64_t now,
               evlist_t *out);

/* Finds the identity behind a token hash. Returns 0 and fills *who, or SP_E_BAD_TOKEN. */
int core_auth(const core_t *c, const char *token_hash, who_t *who);

/* A participant joins a team by its code with a display name. token_hash is the hash
 * of the new session token the caller made. A join_id seen before opens a new session
 * for the same member instead of a second member. */
int core_join(core_t *c, const char *code, const char *name, const char *join_id,
              const char *token_hash, int64_t now, evlist_t *out, who_t *who);

/* A join by picking a registered name. person: the registration's id from core_roster()
 * (NULL: a walk-in with name, refused with SP_E_WALKINS_CLOSED when the organiser closed
 * walk-ins and the team has registered people). A registration nobody uses yet becomes a
 * new member with that name, linked to it. One in use by a member on another device is
 * claimed: without claim_code the join emits member.claim (to the team: its teammates
 * and facilitator see a confirmation code, valid 10 minutes) and returns
 * CORE_JOIN_CLAIM_PENDING with no session; with the right code the new device gets a
 * session as that same member (its roles included) and no second member is made; a
 * wrong or expired code is SP_E_BAD_CLAIM. */
typedef struct {
    const char *code, *name, *person, *claim_code, *join_id, *token_hash;
} core_join_t;
enum { CORE_JOIN_CLAIM_PENDING = 2 };
int core_join_ex(core_t *c, const core_join_t *j, int64_t now, evlist_t *out, who_t *who);

/* Who may be picked on the join page of the team with this code: {team, walkins,
 * names:[{person, name, taken}]} sorted by surname; NULL for an unknown code. */
json_t *core_roster(const core_t *c, const char *code);

/* Executes a command for who. Returns 0 with its events applied and appended to out;
 * 1 when (who, cmd_id) was seen before: nothing happens and *dup_seq is the seq to
 * acknowledge; or a negative error with nothing changed (SP_E_BAD_ID for an empty
 * cmd_id or one longer than LIMIT_CMD_ID: it is never cut). args is borrowed. */
int core_exec(core_t *c, const who_t *who, const char *cmd, const json_t *args,
              const char *cmd_id, int64_t now, evlist_t *out, int64_t *dup_seq);

/* The extra fields of the error core_exec() just returned, as an object to add to the
 * err message (e.g. `conflict`: {current:{text, version}}), or NULL. The caller owns it;
 * a second call returns NULL. */
json_t *core_error_detail(core_t *c);

/* The step table (steps.c): for every command that changes a team's work, the activities
 * of the steps at which it is allowed and whether wall notes are open at every step. */
void core_step_table(void (*cb)(void *ud, const char *cmd, const char *const *acts, size_t n,
                                int wall),
                     void *ud);

/* Brings an event of an older log up to today's rules before it is sent to anyone:
 * team.code went to all staff and now goes to its team's audience. */
void core_event_upgrade(ev_t *ev);

/* Whether (who, cmd_id) ran before: 1 with *seq the seq to acknowledge (its last
 * event), else 0. Changes nothing; the server asks this before anything else, so a
 * command it already knows is always answered with its ack, never with an error. */
int core_known(const core_t *c, const who_t *who, const char *cmd_id, int64_t *seq);

/* Lets time pass: emits the events of timers and race rounds that ran out before
 * now (timer.changed expired, race.round ended, leaderboards). Returns the number of
 * events appended to out. The caller calls it a few times a second. */
size_t core_tick(core_t *c, int64_t now, evlist_t *out);

/* Whether core_tick has anything to wait for: a team timer or a race round running (in a
 * sprint that is not archived). While not, the server need not call it (net/server.c). */
int core_clock_running(const core_t *c);

/* What the facilitator console shows of team t beyond the events (console.c): counts of
 * notes (private ones only as a number), items, dots placed in the current vote (a total,
 * never per option), who is done, a tie waiting for the captain, the members planned by
 * the organiser, and the time of the last thing a member did. Never sent to participants.
 * Caller owns the result; NULL when t is out of range. */
json_t *core_team_counts(const core_t *c, size_t t);
/* The counts of every team in one pass over the state: {team id: counts}. Caller owns. */
json_t *core_counts_all(const core_t *c);
/* The same for the teams with mark[t] != 0 only (mark: core_team_count() bytes; NULL:
 * every team). */
json_t *core_counts_some(const core_t *c, const unsigned char *mark);
/* The same as JSON text, the form the server sends: texts[t] (core_team_count() slots) is
 * team t's counts object for the marked teams (the caller frees each), NULL for others. */
void core_counts_texts(const core_t *c, const unsigned char *mark, char **texts);
/* Which teams' counts (and so their rooms' statuses) may have changed since the last call:
 * sets mark[t] to 1 or 0 for each of the core_team_count() teams and returns how many are
 * 1; the first call marks every team. An event by a member marks the member's team (before
 * and after it) and the team of its audience; any other event (staff, timers, set-up)
 * marks every team. So a server recomputes what changed, not 625 teams a second. */
size_t core_live_changed(core_t *c, unsigned char *mark);

/* What the projector of room r shows (console.c): {room, step, index, at, teams, timer:
 * {state, duration_ms, ends_at?, remaining_ms?}, message, sound} – the step most of the
 * room's teams (with members) are at, how many are there of how many, the timer of the
 * first of them whose timer is set, the latest room message, whether the time-up sound is
 * on. Nothing in it is private to a team. Caller owns; NULL without a playbook or room. */
json_t *core_room_status(const core_t *c, size_t r);

/* What applying events changed beyond the state, for the caller to act on once they
 * are durable; collected since the last call (core_apply, core_exec, core_join,
 * core_tick, core_setup) and cleared by it. Net uses it instead of reading event types. */
enum {
    CORE_FX_CHANNELS = 1,   /* a team or room appeared: staff viewers' core_channels() grew */
    CORE_FX_REDACTED = 2,   /* personal data was deleted: earlier events now read
                               differently through core_redact() (AVG) */
    CORE_FX_ARCHIVE = 4     /* the sprint was archived or its publication changed, or a
                               person was deleted from an archive: the idea bank re-syncs */
};
unsigned core_take_effects(core_t *c);

/* Whether events of this audience belong to the public record of the day (the report,
 * open data): what a team, a room or everyone sees. A single member's events (private
 * notes, dots), a juror's, the jury's, the staff's, the organiser's and the server's
 * never do. With core_redact() this is the projection every output is made from. */
int core_aud_public(int aud_kind);

/* Whether a logged event belongs to the record of the day (the report, open data): a
 * public audience (core_aud_public), and the jury's full results, which go to staff and
 * the jury (participants get the winners and their own place unless the organiser
 * publishes the table) but are the day's outcome. */
int core_in_record(const ev_t *ev);

/* Whether a viewer may see events of this audience. */
int core_may_see(const core_t *c, const who_t *who, int aud_kind, const char *aud_id);

/* Calls cb for every audience (kind, id) whose events who may see: the channels a
 * connection subscribes to. */
void core_channels(const core_t *c, const who_t *who,
                   void (*cb)(void *ud, int kind, const char *id), void *ud);

/* Calls cb for every command the core knows, with the roles that may send it (bit
 * 1 << role_t each): for `staatsprint commands` and the access tests. */
void core_commands(void (*cb)(void *ud, const char *name, unsigned roles), void *ud);

/* Read-only views for the command line and the server's start-up message. */
const char *core_sprint_id(const core_t *c);
const char *core_sprint_title(const core_t *c);          /* Dutch title */
const char *core_link_token(const core_t *c, const char *role, const char *room);
size_t core_team_count(const core_t *c);
size_t core_room_count(const core_t *c);
int core_team_room(const core_t *c, size_t t);   /* room index of team t, -1 if none */
int core_team_info(const core_t *c, size_t i, const char **id, const char **name,
                   const char **room, const char **code);
size_t core_note_count(const core_t *c, int include_deleted);

/* Archiving (sprint.c). After sprint.archived the sprint is read-only: core_exec()
 * refuses every command with SP_E_ARCHIVED except person.delete (AVG) and
 * sprint.publish; core_join*() refuses with SP_E_ARCHIVED; core_tick() emits nothing. */
int core_archived(const core_t *c);
/* The archive's publication choices {bank, orgs, public, at} (a copy the caller owns),
 * NULL while the sprint is live. */
json_t *core_archive_info(const core_t *c);
/* The date of the sprint ("YYYY-MM-DD", "" when none). */
const char *core_sprint_date(const core_t *c);

/* Copying a sprint (sprints.c): a fold over the events of an earlier sprint's log that
 * keeps what describes its set-up – title, venue, organiser, programme, challenges (as
 * last edited), rooms (names and challenges, not their facilitators' names), jury
 * criteria and playbook – and never its people, registrations, members, notes, tokens or
 * codes. core_template_desc() gives the description (data/events/README.md) of a new
 * sprint for core_setup(): with id, title (NULL or "": the earlier one's) and date, and
 * the teams of `teams` (the default event's) in their own room when the copy has one of
 * that id, else spread over the copied rooms. The caller owns the description. */
typedef struct core_template core_template_t;
core_template_t *core_template_new(void);
void core_template_event(core_template_t *t, const ev_t *ev);   /* ev borrowed */
json_t *core_template_desc(const core_template_t *t, const json_t *teams, const char *id,
                           const char *title, const char *date);
void core_template_free(core_template_t *t);   /* accepts NULL */

/* One line of the list of sprints: {id, title, date, state: "live"|"archived", bank,
 * orgs, public, teams (with members), people (members), ideas (race ideas)}. Caller owns. */
json_t *core_sprint_summary(const core_t *c);

/* The credential an event hands out: 1 with the token hash in out (auth.link,
 * session.opened, auth.juror), 2 with the normalised join code (team.code), else 0.
 * The server knows an archived sprint's links by these. */
int core_event_credential(const ev_t *ev, char *out, size_t outlen);

/* The id of the live registration with this e-mail address (normalised like the import:
 * NFC, case-folded), or NULL. */
const char *core_person_by_email(const core_t *c, const char *email);

/* Normalises a join code for comparison: upper case, without dashes and spaces.
 * Writes at most outlen bytes including the NUL. */
void core_code_normalise(const char *in, char *out, size_t outlen);



/* Fresh secrets for commands that create teams or links after the set-up (core has
 * no randomness): code() writes a new join code ("K7QM-X2PA"), token() a new link
 * token and its hash. The caller (net) sets them once after core_new(); without them
 * such commands fail with SP_E_NO_SECRETS. Neither is ever called while applying. */
typedef struct {
    void (*code)(void *ud, char *out, size_t len);
    void (*token)(void *ud, char *tok, size_t toklen, char *hash, size_t hashlen);
    void *ud;
} core_secret_src_t;

void core_set_secret_source(core_t *c, const core_secret_src_t *src);

/* "This came up before": the published bank entries of earlier sprints (src/bank,
 * docs/bank-schema.json), copied into the core like the secret source and never in the
 * log. Entries of kinds idee, gekozen and probleem are kept (sprint, sprint_title, date,
 * kind, text, chosen, won); a race idea close to one of them gives event idea.before
 * {"note","sprint","sprint_title","date","kind","text","chosen","won","score"}: to its
 * author while private (round 1), to its team and the room's desk (AUD_DESK) once the team
 * sees it (after round 1, and when the idea vote puts it on the ballot). Replaces any
 * earlier priors; entries is borrowed. */
void core_set_priors(core_t *c, const json_t *entries);

/* The organiser's data (src/core/org.c), read on the service thread. */
size_t core_challenge_count(const core_t *c);
/* The id and Dutch title of challenge i (the group number of the assignment). */
int core_challenge_info(const core_t *c, size_t i, const char **id, const char **title_nl);
/* The English title of challenge i, "" when it has none. */
const char *core_challenge_title_en(const core_t *c, size_t i);
/* Whether a live registration holds this (lower-case) e-mail address. */
int core_person_known_email(const core_t *c, const char *email);
/* What registrations.import would do with people ([{name, email, …}] as the command
 * takes them): {new, updated, unchanged, conflicts_count, conflicts:[{line, name, email,
 * registered, person}]}. A registration is the one held with the same address and name
 * (address: NFC, case-folded), or without an address the same name and organisation
 * (case-, accent- and punctuation-insensitive); a conflict is an address held under
 * another name, which the import leaves out for the organiser to decide. */
json_t *core_import_plan(const core_t *c, const json_t *people);
/* Adds to an import's summary what the import of args ({people}) does against the
 * registrations held: new, updated, unchanged, conflicts (core_import_plan()); imported =
 * new, replaced = replaced inside the file + updated. */
void core_import_summary(const core_t *c, json_t *summary, const json_t *args);
/* Everything held about one registration ("p3") or member ("m4") as JSON (AVG
 * export), or NULL when unknown. Caller owns the result. */
json_t *core_person_export(const core_t *c, const char *id);
/* The teams for the join sheets: [{team, name, code, room:{nl,en}, challenge:{nl,en},
 * planned, members:[names by surname]}] – after an assignment only the teams with planned members. Caller owns. */
json_t *core_sheets(const core_t *c);
/* The door list: every planned person, sorted by surname the Dutch way ("Anna de Groot"
 * under G): [{name, team (its name), room:{nl,en}}]. Personal data: organiser only. */
json_t *core_door_list(const core_t *c);
/* The data of a logged event as it may still be sent after deletions (AVG): NULL when
 * nothing in it was deleted since, else a new object without the deleted personal data
 * (caller owns). The server rebuilds its replay frames with it at start. */
json_t *core_redact(const core_t *c, const ev_t *ev);
/* Whether events of this type can hold personal data that core_redact() may take out
 * (so a caller may skip the others without reading them). */
int core_redactable(const char *type);
/* The figures of the current assignment (see assign.result in docs/protocol.md), or
 * NULL before the first run. Caller owns the result. */
json_t *core_assign_figures(const core_t *c);

/* A JSON description of an identity for the client: {role, actor, member?, team?,
 * room?, name?}. The caller owns the result. */
json_t *core_who_json(const core_t *c, const who_t *who);
#endif
