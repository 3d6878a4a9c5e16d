/* evs-test-synth.c
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

#include "config.h"

#include "evs-test-synth.h"

/**
 * evs_test_write_synthetic:
 *
 * Writes a deterministic recording with @writer's format: a bright edge
 * sweeping right (ON in front, OFF behind) plus uniform noise, @n_events
 * spread evenly over [@t_first, @t_first + @duration_us).  Streams through
 * one chunk, so it can write large files.
 */
void
evs_test_write_synthetic (const char *path,
                          EvsFormat   format,
                          guint       width,
                          guint       height,
                          guint64     n_events,
                          gint64      t_first,
                          gint64      duration_us,
                          guint32     seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsWriter) writer = NULL;
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  info->width = width;
  info->height = height;
  info->geometry_known = TRUE;

  writer = evs_writer_new (format, path, &error);
  g_assert_no_error (error);
  g_assert_true (evs_writer_begin (writer, info, NULL, &error));
  g_assert_no_error (error);

  for (guint64 i = 0; i < n_events; i++)
    {
      gint64 t = t_first + (gint64) ((double) i * duration_us / n_events);
      guint x, y, p;

      if (g_rand_int_range (rand, 0, 4) != 0)
        {
          /* The edge crosses the sensor once per second. */
          double phase = (double) ((t - t_first) % 1000000) / 1000000.0;
          int edge = (int) (phase * width);
          int dx = g_rand_int_range (rand, -3, 4);

          x = (guint) CLAMP (edge + dx, 0, (int) width - 1);
          y = g_rand_int_range (rand, height / 4, 3 * height / 4);
          p = dx >= 0;
        }
      else
        {
          x = g_rand_int_range (rand, 0, width);
          y = g_rand_int_range (rand, 0, height);
          p = g_rand_int_range (rand, 0, 2);
        }

      evs_event_chunk_push (chunk, t, x, y, p);
      if (evs_event_chunk_get_free (chunk) == 0)
        {
          g_assert_true (evs_writer_write (writer, chunk, &error));
          g_assert_no_error (error);
          evs_event_chunk_clear (chunk);
        }
    }

  if (chunk->n_events > 0)
    g_assert_true (evs_writer_write (writer, chunk, &error));
  g_assert_no_error (error);
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);
}
