/* evs-cli-common.c
 *
 * Copyright 2026 The Evscope authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "evscope-cli"

#include "config.h"

#include "evs-cli-common.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Messages */

static const char *
program_name (void)
{
  const char *name = g_get_prgname ();

  return name != NULL ? name : "evscope-cli";
}

/**
 * evs_cli_printerr:
 *
 * Prints “evscope-cli COMMAND: message” and a newline on stderr.
 */
void
evs_cli_printerr (const char *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s: %s\n", program_name (), message);
}

/**
 * evs_cli_fail:
 *
 * Reports @error (the core's messages name the file and byte offset).
 *
 * Returns: %EVS_CLI_EXIT_FAILURE, to return from the command
 */
int
evs_cli_fail (const GError *error)
{
  evs_cli_printerr ("%s", error != NULL ? error->message : "failed");
  return EVS_CLI_EXIT_FAILURE;
}

/**
 * evs_cli_usage_error:
 *
 * Reports a wrong command line and points at `--help`.
 *
 * Returns: %EVS_CLI_EXIT_USAGE
 */
int
evs_cli_usage_error (const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s: %s\nRun “%s --help” for usage.\n", program_name (), message, program_name ());

  return EVS_CLI_EXIT_USAGE;
}

/**
 * evs_cli_parse_options:
 * @status: (out): the exit status when parsing fails
 *
 * Parses the options; `--help` prints the help on stdout and exits with 0
 * (GOption's behaviour).
 *
 * Returns: %FALSE on a wrong option, with the message printed
 */
gboolean
evs_cli_parse_options (GOptionContext   *context,
                       int              *argc,
                       char           ***argv,
                       int              *status)
{
  g_autoptr(GError) error = NULL;

  *status = EVS_CLI_EXIT_OK;
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = evs_cli_usage_error ("%s", error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
needs_quoting (const char *arg)
{
  if (*arg == '\0')
    return TRUE;

  for (const char *c = arg; *c != '\0'; c++)
    {
      if (!g_ascii_isalnum (*c) && strchr ("-_./:=,+@%", *c) == NULL && (guchar) *c < 0x80)
        return TRUE;
    }

  return FALSE;
}

/**
 * evs_cli_command_line:
 * @argv: the command's arguments, @argv[0] being the command name
 *
 * Returns: (transfer full): “evscope-cli COMMAND ARG…”, shell-quoted where
 *   needed, for provenance records
 */
char *
evs_cli_command_line (int    argc,
                      char **argv)
{
  g_autoptr(GString) line = g_string_new ("evscope-cli");

  for (int i = 0; i < argc; i++)
    {
      g_string_append_c (line, ' ');
      if (needs_quoting (argv[i]))
        {
          g_autofree char *quoted = g_shell_quote (argv[i]);

          g_string_append (line, quoted);
        }
      else
        g_string_append (line, argv[i]);
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* Numbers */

/**
 * evs_cli_format_count:
 *
 * Returns: (transfer full): @n with thousands separators: “1,234,567”
 */
char *
evs_cli_format_count (guint64 n)
{
  char digits[32];
  GString *out = g_string_new (NULL);
  int len = g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, n);

  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

char *
evs_cli_format_signed (gint64 n)
{
  g_autofree char *magnitude = NULL;

  if (n >= 0)
    return evs_cli_format_count ((guint64) n);

  magnitude = evs_cli_format_count ((guint64) 0 - (guint64) n);

  return g_strconcat ("-", magnitude, NULL);
}

/**
 * evs_cli_format_duration_us:
 *
 * Returns: (transfer full): @us as seconds with µs precision: “12.000345 s”
 */
char *
evs_cli_format_duration_us (gint64 us)
{
  guint64 magnitude = us < 0 ? (guint64) 0 - (guint64) us : (guint64) us;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%06u s", us < 0 ? "-" : "",
                          magnitude / G_USEC_PER_SEC, (guint) (magnitude % G_USEC_PER_SEC));
}

/**
 * evs_cli_format_seconds:
 *
 * Returns: (transfer full): a wall-clock time for a progress ETA: “0:07”,
 *   “12:34” or “1:02:03”
 */
char *
evs_cli_format_seconds (double seconds)
{
  guint64 s;

  if (!(seconds >= 0) || seconds > 1e9)
    return g_strdup ("--:--");

  s = (guint64) (seconds + 0.5);
  if (s >= 3600)
    return g_strdup_printf ("%" G_GUINT64_FORMAT ":%02u:%02u", s / 3600,
                            (guint) (s / 60 % 60), (guint) (s % 60));

  return g_strdup_printf ("%u:%02u", (guint) (s / 60), (guint) (s % 60));
}

/**
 * evs_cli_format_size:
 *
 * Returns: (transfer full): “35,312 bytes” or “1.2 GB (1,234,567,890 bytes)”
 */
char *
evs_cli_format_size (guint64 bytes)
{
  g_autofree char *exact = evs_cli_format_count (bytes);
  g_autofree char *human = NULL;

  if (bytes < 1000)
    return g_strdup_printf ("%s bytes", exact);

  human = g_format_size (bytes);

  return g_strdup_printf ("%s (%s bytes)", human, exact);
}

/**
 * evs_cli_format_rate:
 *
 * Returns: (transfer full): an event rate with a unit prefix: “950 ev/s”,
 *   “44.1 k ev/s”, “12.35 M ev/s”
 */
char *
evs_cli_format_rate (double events_per_second)
{
  double r = events_per_second;

  if (!(r >= 0) || r > 1e18)
    return g_strdup ("– ev/s");
  if (r < 1e3)
    return g_strdup_printf ("%.0f ev/s", r);
  if (r < 1e6)
    return g_strdup_printf ("%.1f k ev/s", r / 1e3);
  if (r < 1e9)
    return g_strdup_printf ("%.2f M ev/s", r / 1e6);

  return g_strdup_printf ("%.2f G ev/s", r / 1e9);
}

/* Interrupts */

static volatile sig_atomic_t interrupted;

static void
interrupt_handler (int signum)
{
  interrupted = signum;
}

/**
 * evs_cli_catch_interrupts:
 *
 * Installs handlers for SIGINT and SIGTERM that only set a flag, so that
 * the command can stop at the next chunk and clean up (a writer removes its
 * temporary file).  A second signal of the same kind kills the process as
 * usual.
 */
void
evs_cli_catch_interrupts (void)
{
  struct sigaction action;

  memset (&action, 0, sizeof action);
  action.sa_handler = interrupt_handler;
  action.sa_flags = SA_RESTART | SA_RESETHAND;
  sigemptyset (&action.sa_mask);

  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);
}

gboolean
evs_cli_interrupted (void)
{
  return interrupted != 0;
}

void
evs_cli_reset_interrupts (void)
{
  interrupted = 0;
}

/* Progress */

#define PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 10)

struct _EvsCliProgress
{
  char         *label;
  GCancellable *cancellable;
  gint64        start_time;
  gint64        last_draw;
  guint         visible : 1;
  guint         drawn : 1;
};

/**
 * evs_cli_progress_new:
 * @label: what is being done (“Indexing”, “Exporting”)
 *
 * Returns: (transfer full): a progress line; it draws nothing unless stderr
 *   is a terminal
 */
EvsCliProgress *
evs_cli_progress_new (const char *label)
{
  EvsCliProgress *self = g_new0 (EvsCliProgress, 1);

  self->label = g_strdup (label);
  self->cancellable = g_cancellable_new ();
  self->start_time = g_get_monotonic_time ();
  self->visible = isatty (STDERR_FILENO) && g_getenv ("EVSCOPE_NO_PROGRESS") == NULL;

  return self;
}

void
evs_cli_progress_free (EvsCliProgress *self)
{
  if (self == NULL)
    return;

  evs_cli_progress_clear (self);
  g_clear_object (&self->cancellable);
  g_free (self->label);
  g_free (self);
}

/**
 * evs_cli_progress_set_label:
 *
 * Starts a new phase: the label changes and the rate and ETA restart.
 */
void
evs_cli_progress_set_label (EvsCliProgress *self,
                            const char     *label)
{
  g_return_if_fail (self != NULL);

  g_free (self->label);
  self->label = g_strdup (label);
  self->start_time = g_get_monotonic_time ();
  self->last_draw = 0;
}

gboolean
evs_cli_progress_is_visible (EvsCliProgress *self)
{
  return self != NULL && self->visible;
}

GCancellable *
evs_cli_progress_get_cancellable (EvsCliProgress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->cancellable;
}

static guint
terminal_columns (void)
{
  struct winsize ws;

  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;

  return 80;
}

/**
 * evs_cli_progress_update:
 * @fraction: share done, 0 to 1
 * @n_events: events handled so far in this phase
 *
 * Cheap enough to call once per chunk: it redraws at most ten times a
 * second.  It also cancels the progress's cancellable after an interrupt.
 */
void
evs_cli_progress_update (EvsCliProgress *self,
                         double          fraction,
                         guint64         n_events)
{
  g_autofree char *rate = NULL;
  g_autofree char *eta = NULL;
  g_autoptr(GString) line = NULL;
  gint64 now;
  double elapsed;
  guint columns, bar_width, filled;

  g_return_if_fail (self != NULL);

  if (evs_cli_interrupted ())
    g_cancellable_cancel (self->cancellable);

  if (!self->visible)
    return;

  now = g_get_monotonic_time ();
  if (self->drawn && now - self->last_draw < PROGRESS_INTERVAL_US)
    return;
  self->last_draw = now;

  fraction = CLAMP (fraction, 0.0, 1.0);
  elapsed = (double) (now - self->start_time) / G_USEC_PER_SEC;
  rate = evs_cli_format_rate (elapsed > 0 ? n_events / elapsed : 0);
  if (fraction >= 1.0)
    eta = g_strdup ("0:00");
  else if (fraction > 0.001 && elapsed > 0.3)
    eta = evs_cli_format_seconds (elapsed * (1.0 - fraction) / fraction);
  else
    eta = g_strdup ("--:--");

  columns = terminal_columns ();
  bar_width = columns > 70 ? MIN (columns - 60, 40) : 10;
  filled = (guint) (fraction * bar_width + 0.5);

  line = g_string_new ("\r");
  g_string_append_printf (line, "%s [", self->label);
  for (guint i = 0; i < bar_width; i++)
    g_string_append (line, i < filled ? "#" : "-");
  g_string_append_printf (line, "] %5.1f %%  %s  ETA %s\033[K", fraction * 100.0, rate, eta);

  fputs (line->str, stderr);
  fflush (stderr);
  self->drawn = TRUE;
}

/**
 * evs_cli_progress_clear:
 *
 * Erases the progress line, so that the next message starts on a clean line.
 */
void
evs_cli_progress_clear (EvsCliProgress *self)
{
  g_return_if_fail (self != NULL);

  if (self->visible && self->drawn)
    {
      fputs ("\r\033[K", stderr);
      fflush (stderr);
    }
  self->drawn = FALSE;
}

/**
 * evs_cli_progress_index_cb:
 * @user_data: an #EvsCliProgress
 *
 * An #EvsIndexProgressFunc: pass it with the progress to evs_index_ensure()
 * together with evs_cli_progress_get_cancellable().
 */
void
evs_cli_progress_index_cb (double   fraction,
                           guint64  n_events,
                           gpointer user_data)
{
  evs_cli_progress_update (user_data, fraction, n_events);
}

/* JSON */

void
evs_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  g_print ("%s\n", text);
}
