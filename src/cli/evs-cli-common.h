/* evs-cli-common.h
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

#pragma once

#include <json-glib/json-glib.h>

#include "evs-core.h"

G_BEGIN_DECLS

/* Exit statuses shared by every command (see evs-cli.h). */
#define EVS_CLI_EXIT_OK          0
#define EVS_CLI_EXIT_FAILURE     1
#define EVS_CLI_EXIT_USAGE       2
#define EVS_CLI_EXIT_INTERRUPTED 130

/* Messages.  Every message on stderr starts with the program name that the
 * dispatcher set (“evscope-cli export: …”). */
void      evs_cli_printerr           (const char      *format,
                                      ...) G_GNUC_PRINTF (1, 2);
int       evs_cli_fail               (const GError    *error);
int       evs_cli_usage_error        (const char      *format,
                                      ...) G_GNUC_PRINTF (1, 2);
gboolean  evs_cli_parse_options      (GOptionContext  *context,
                                      int             *argc,
                                      char          ***argv,
                                      int             *status);
char     *evs_cli_command_line       (int              argc,
                                      char           **argv);

/* Numbers for people: “1,234,567”, “12.345678 s”, “3.4 MiB”, “12.3 M ev/s”. */
char     *evs_cli_format_count       (guint64          n);
char     *evs_cli_format_signed      (gint64           n);
char     *evs_cli_format_duration_us (gint64           us);
char     *evs_cli_format_seconds     (double           seconds);
char     *evs_cli_format_size        (guint64          bytes);
char     *evs_cli_format_rate        (double           events_per_second);

/* Ctrl-C: a plain signal handler for SIGINT and SIGTERM that only sets a
 * flag.  Long loops check evs_cli_interrupted() once per chunk. */
void      evs_cli_catch_interrupts   (void);
gboolean  evs_cli_interrupted        (void);
void      evs_cli_reset_interrupts   (void);

/* A progress line on stderr, drawn only when stderr is a terminal, at most
 * ten times a second: label, bar, percentage, events/s and ETA.  It also
 * owns a GCancellable that is cancelled when an interrupt is seen, for the
 * core calls that take one (evs_index_ensure()). */
typedef struct _EvsCliProgress EvsCliProgress;

EvsCliProgress *evs_cli_progress_new             (const char     *label);
void            evs_cli_progress_free            (EvsCliProgress *self);
void            evs_cli_progress_set_label       (EvsCliProgress *self,
                                                  const char     *label);
void            evs_cli_progress_update          (EvsCliProgress *self,
                                                  double          fraction,
                                                  guint64         n_events);
void            evs_cli_progress_clear           (EvsCliProgress *self);
gboolean        evs_cli_progress_is_visible      (EvsCliProgress *self);
GCancellable   *evs_cli_progress_get_cancellable (EvsCliProgress *self);
void            evs_cli_progress_index_cb        (double          fraction,
                                                  guint64         n_events,
                                                  gpointer        user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvsCliProgress, evs_cli_progress_free)

/* JSON on stdout: pretty-printed with a final newline. */
void      evs_cli_print_json         (JsonBuilder     *builder);

G_END_DECLS
