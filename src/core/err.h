/* err.h – every user-facing error: a stable code, a Dutch and an English message.
 *
 * Functions that can fail return 0 or one of these negative values; err_code(),
 * err_nl() and err_en() map a value to its parts. The code strings are part of the
 * protocol (docs/protocol.md) and never change meaning.
 */
#ifndef SP_ERR_H
#define SP_ERR_H

#define SP_ERRORS(X)                                                                    \
    X(E_BAD_JSON, "bad_json", "Het bericht is geen geldig JSON-object.",               \
      "The message is not a valid JSON object.")                                        \
    X(E_BAD_UTF8, "bad_utf8", "Het bericht bevat ongeldige tekens (geen UTF-8).",      \
      "The message contains invalid characters (not UTF-8).")                           \
    X(E_BAD_MESSAGE, "bad_message", "Er ontbreekt een veld of een veld heeft het verkeerde type.", \
      "A field is missing or has the wrong type.")                                      \
    X(E_UNKNOWN_MESSAGE, "unknown_message", "Dit soort bericht kent de server niet.",  \
      "The server does not know this kind of message.")                                 \
    X(E_UNKNOWN_COMMAND, "unknown_command", "Deze opdracht bestaat niet.",             \
      "This command does not exist.")                                                   \
    X(E_NOT_AUTHENTICATED, "not_authenticated", "Meld je eerst aan met een teamcode of link.", \
      "Sign in first with a team code or link.")                                        \
    X(E_BAD_TOKEN, "bad_token", "Deze link of sessie is niet (meer) geldig.",          \
      "This link or session is not valid (any more).")                                  \
    X(E_BAD_SINCE, "bad_since", "Deze server kent die gebeurtenissen nog niet; begin opnieuw vanaf 0.", \
      "This server does not have those events yet; start again from 0.")              \
    X(E_BAD_CODE, "bad_code", "Deze teamcode bestaat niet. Controleer de code en probeer het opnieuw.", \
      "This team code does not exist. Check the code and try again.")                   \
    X(E_RATE_LIMITED, "rate_limited", "Te veel pogingen achter elkaar. Wacht even en probeer het opnieuw.", \
      "Too many attempts in a row. Wait a moment and try again.")                       \
    X(E_TOO_DEEP, "too_deep", "Het bericht is te diep genest.",                        \
      "The message is nested too deeply.")                                              \
    X(E_FORBIDDEN, "forbidden", "Dit mag jouw rol niet doen.",                         \
      "Your role may not do this.")                                                     \
    X(E_NOT_FOUND, "not_found", "Dit bestaat niet (meer).",                            \
      "This does not exist (any more).")                                                \
    X(E_TEXT_EMPTY, "text_empty", "De tekst is leeg.", "The text is empty.")            \
    X(E_TEXT_TOO_LONG, "text_too_long", "De tekst is te lang.", "The text is too long.") \
    X(E_BAD_TEXT, "bad_text", "De tekst bevat een teken dat niet is toegestaan (zoals U+0000).", \
      "The text contains a character that is not allowed (such as U+0000).")           \
    X(E_STORE_UNAVAILABLE, "store_unavailable",                                         \
      "De server kan nu niet opslaan. Er is niets veranderd; probeer het zo opnieuw.",   \
      "The server cannot save right now. Nothing was changed; try again shortly.")      \
    X(E_BAD_ID, "bad_id", "De opdracht-id moet 1 tot 64 leesbare tekens hebben.",      \
      "The command id must have 1 to 64 printable characters.")                         \
    X(E_TOO_MANY_TEAMS, "too_many_teams",                                               \
      "Deze zaal heeft te veel teams om ze in één opdracht te bedienen; er is niets veranderd.", \
      "This room has too many teams for one command; nothing was changed.")            \
    X(E_BAD_SETUP, "bad_setup", "De beschrijving van de dag is onvolledig of ongeldig.", \
      "The description of the day is incomplete or invalid.")                           \
    X(E_TOO_BIG, "too_big", "Het bericht is te groot.", "The message is too big.")          \
    X(E_BAD_PLAYBOOK, "bad_playbook", "Het draaiboek van de methode is ongeldig.",       \
      "The playbook of the method is invalid.")                                         \
    X(E_WRONG_STEP, "wrong_step", "Dit hoort niet bij de stap waar jullie team nu is.",  \
      "This does not belong to the step your team is at now.")                          \
    X(E_FROZEN, "frozen", "Dit is door een stemming gekozen en ligt nu vast.",         \
      "A vote chose this; it can no longer be changed.")                              \
    X(E_CONFLICT, "conflict", "Iemand anders heeft dit intussen veranderd. Voeg de teksten samen.", \
      "Someone else changed this in the meantime. Merge the texts.")                  \
    X(E_LAST_STEP, "last_step", "Dit is de laatste stap van de dag.",                   \
      "This is the last step of the day.")                                              \
    X(E_NOT_EARLIER_STEP, "not_earlier_step", "Je kunt alleen terug naar een eerdere stap.", \
      "You can only go back to an earlier step.")                                       \
    X(E_TIMER_STATE, "timer_state", "De timer staat niet in de juiste stand hiervoor.",  \
      "The timer is not in the right state for this.")                                  \
    X(E_VOTE_NOT_REVEALED, "vote_not_revealed",                                         \
      "Maak eerst de stemmen zichtbaar voordat jullie verdergaan.",                      \
      "Reveal the votes before you move on.")                                           \
    X(E_TIE_UNRESOLVED, "tie_unresolved",                                               \
      "Er is een gelijke stand. De teamcaptain beslist eerst.",                          \
      "There is a tie. The team captain decides first.")                                \
    X(E_RACE_RUNNING, "race_running", "Er loopt nog een ronde van de Idee Race.",        \
      "A round of the Idea Race is still running.")                                     \
    X(E_RACE_NOT_RUNNING, "race_not_running",                                           \
      "Ideeën tellen alleen mee terwijl een ronde loopt.",                               \
      "Ideas only count while a round is running.")                                     \
    X(E_RACE_NOT_STARTED, "race_not_started", "De Idee Race is nog niet begonnen: speel eerst een ronde.", \
      "The Idea Race has not started yet: play a round first.")                       \
    X(E_VOTE_BUDGET_EXHAUSTED, "vote_budget_exhausted", "Je hebt al je stippen gebruikt.", \
      "You have used all your dots.")                                                   \
    X(E_VOTE_NO_DOT, "vote_no_dot", "Daar staat geen stip van jou.",                     \
      "You have no dot there.")                                                         \
    X(E_VOTE_CLOSED, "vote_closed", "De stemming is al gesloten.",                       \
      "The vote is already closed.")                                                    \
    X(E_BAD_TARGET, "bad_target", "Hier kun je niet op stemmen of naar verwijzen.",      \
      "You cannot vote for or refer to this.")                                          \
    X(E_BAD_POSITION, "bad_position", "Deze plek ligt niet op de wand.",                  \
      "This position is not on the wall.")                                                \
    X(E_NOT_A_TIE, "not_a_tie", "Er is geen gelijke stand om over te beslissen.",        \
      "There is no tie to decide.")                                                     \
    X(E_BAD_CHOICE, "bad_choice", "Kies precies het gevraagde aantal uit de gelijke opties.", \
      "Choose exactly the number asked from the tied options.")                         \
    X(E_RACE_OVER, "race_over", "Alle rondes van de Idee Race zijn gespeeld.",           \
      "All rounds of the Idea Race have been played.")                                  \
    X(E_NO_PLAYBOOK, "no_playbook", "Voor deze dag is geen methode ingesteld.",          \
      "No method is set for this day.")                                                 \
    X(E_NO_SECRETS, "no_secrets", "De server kan nu geen nieuwe codes maken.",          \
      "The server cannot make new codes right now.")                                    \
    X(E_BAD_EMAIL, "bad_email", "Dit is geen geldig e-mailadres.",                      \
      "This is not a valid e-mail address.")                                            \
    X(E_TEAM_SIZE, "team_size", "Kies een teamgrootte van 1 tot 50, minimum niet boven maximum.", \
      "Choose a team size from 1 to 50, the minimum not above the maximum.")            \
    X(E_NO_ASSIGNMENT, "no_assignment", "Maak eerst een indeling.",                     \
      "Run the assignment first.")                                    \
    X(E_CLAIM_PENDING, "claim_pending", "Deze naam is al in gebruik op een ander apparaat. Vraag een teamgenoot of de begeleider om de bevestigingscode en vul die in.", \
      "This name is already in use on another device. Ask a teammate or the facilitator for the confirmation code and enter it.") \
    X(E_BAD_CLAIM, "bad_claim", "Deze bevestigingscode klopt niet of is verlopen.",       \
      "This confirmation code is wrong or has expired.")                                \
    X(E_WALKINS_CLOSED, "walkins_closed", "Kies je naam uit de lijst; zelf een naam toevoegen kan bij deze dag niet.", \
      "Pick your name from the list; adding a name of your own is not possible on this day.") \
    X(E_JURY_PHASE, "jury_phase", "Dit kan niet in deze fase van de jurering.",            \
      "This is not possible in this phase of the judging.")                            \
    X(E_JURY_RECUSED, "jury_recused", "Je hebt je voor dit team teruggetrokken.",          \
      "You have recused yourself for this team.")                                       \
    X(E_JURY_UNSCORED, "jury_unscored",                                                 \
      "Nog niet elk team is beoordeeld. Bevestig dat je toch wilt afsluiten.",            \
      "Not every team has been scored. Confirm that you want to lock anyway.")          \
    X(E_BAD_LEVEL, "bad_level", "Kies wat deelnemers zien: winners, places of full.",     \
      "Choose what participants see: winners, places or full.")                        \
    X(E_BAD_SCORE, "bad_score", "Een score ligt tussen 1 en het hoogste cijfer van de schaal.", \
      "A score lies between 1 and the top of the scale.")                               \
    X(E_NO_CRITERIA, "no_criteria", "Stel eerst de beoordelingscriteria in.",              \
      "Set the judging criteria first.")                                                  \
    X(E_ARCHIVED, "archived", "Deze sprint is gearchiveerd: er kan niets meer veranderen.", \
      "This sprint has been archived: nothing can change any more.")                    \
    X(E_SPRINT_ARCHIVED, "sprint_archived",                                             \
      "Deze link hoort bij een sprint die is afgelopen en gearchiveerd. Vraag de organisator om de link van de huidige sprint.", \
      "This link belongs to a sprint that has ended and been archived. Ask the organiser for the link of the current sprint.") \
    X(E_NOT_ARCHIVED, "not_archived", "Archiveer eerst de huidige sprint.",             \
      "Archive the current sprint first.")                                              \
    X(E_JURY_UNANNOUNCED, "jury_unannounced",                                           \
      "De jury heeft de uitslag nog niet bekendgemaakt. Bevestig dat je toch wilt archiveren.", \
      "The jury has not announced the results yet. Confirm that you want to archive anyway.") \
    X(E_NOT_PUBLIC, "not_public", "Er is (nog) geen openbare ideeënbank op deze server.", \
      "There is no public idea bank on this server (yet).")

enum {
    SP_OK = 0,
#define SP_ERR_ENUM(name, code, nl, en) SP_##name,
    SP_ERR_FIRST_ = -1000,
    SP_ERRORS(SP_ERR_ENUM)
#undef SP_ERR_ENUM
    SP_ERR_END_
};

/* The stable code ("vote_budget_exhausted"), Dutch and English message of an error
 * value; an unknown value maps to "internal". */
const char *err_code(int e);
const char *err_nl(int e);
const char *err_en(int e);

#endif
