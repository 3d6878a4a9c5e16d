/* evscope-cli.c
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

#include <locale.h>
#include <stdio.h>

#include "evs-core.h"

static int
cmd_info (int    argc,
          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsIndex) index = NULL;

  if (argc < 2)
    {
      g_printerr ("Usage: evscope-cli info FILE\n");
      return 2;
    }

  reader = evs_reader_open (argv[1], &error);
  if (reader == NULL)
    {
      g_printerr ("evscope-cli: %s\n", error->message);
      return 1;
    }
  index = evs_index_ensure (reader, NULL, NULL, NULL, &error);
  if (index == NULL)
    {
      g_printerr ("evscope-cli: %s\n", error->message);
      return 1;
    }
  g_print ("format: %s\nevents: %" G_GUINT64_FORMAT "\n",
           evs_format_to_string (evs_reader_get_format (reader)),
           evs_index_get_n_events (index));
  return 0;
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");

  if (argc >= 2 && g_strcmp0 (argv[1], "info") == 0)
    return cmd_info (argc - 1, argv + 1);

  g_printerr ("Usage: evscope-cli info FILE\n");
  return 2;
}
