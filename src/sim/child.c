/* child.c – starting and stopping the simulator's server (see child.h). */
#include "sim/child.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* A port that was free a moment ago: bind to port 0, read it, close. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t l = sizeof a;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &l) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

int sim_child_start(const char *exe, const char *db, int extra, int *port, pid_t *pid,
                    char *token, size_t toklen)
{
    int pfd[2];
    token[0] = '\0';
    *pid = 0;
    *port = free_port();
    if (*port < 0 || pipe(pfd) != 0)
        return -1;
    char ports[16], teams[16];
    snprintf(ports, sizeof ports, "%d", *port);
    snprintf(teams, sizeof teams, "%d", extra);
    if (exe == NULL)
        exe = "/proc/self/exe";
    *pid = fork();
    if (*pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (*pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execl(exe, exe, "serve", "--port", ports, "--bind", "127.0.0.1", "--db", db, "--teams", teams,
              (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    FILE *f = fdopen(pfd[0], "r");
    char line[1024];
    /* Read the whole start-up message, so the server never blocks on a full pipe; it
     * ends with the line for participants. */
    while (f && fgets(line, sizeof line, f)) {
        char *o = strstr(line, "Organisator: ");
        char *tok = o ? strstr(o, "/#/o/") : NULL;
        if (tok) {
            snprintf(token, toklen, "%s", tok + 5);
            token[strcspn(token, "\r\n ")] = '\0';
        }
        if (strstr(line, "(Participants open"))
            break;
    }
    if (f)
        fclose(f);
    else
        close(pfd[0]);
    if (token[0] == '\0') {
        sim_child_stop(*pid);
        *pid = 0;
        return -1;
    }
    return 0;
}

void sim_child_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
}
