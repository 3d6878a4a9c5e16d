/* evs-cli.h
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

#include "evs-core.h"

G_BEGIN_DECLS

/* Each command parses its own options (GOption, with --help) and returns the
 * process exit status: 0 success, 1 failure (a message on stderr), 2 usage. */
int evs_cli_info          (int    argc,
                           char **argv);
int evs_cli_export        (int    argc,
                           char **argv);
int evs_cli_synth         (int    argc,
                           char **argv);
int evs_cli_bench         (int    argc,
                           char **argv);
int evs_cli_render        (int    argc,
                           char **argv);
int evs_cli_denoise_eval  (int    argc,
                           char **argv);

G_END_DECLS
