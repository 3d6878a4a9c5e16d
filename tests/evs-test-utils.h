/* evs-test-utils.h
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

typedef struct
{
  guint64 n_events;
  guint64 n_on;
  guint64 n_off;
  gint64  t_min;
  gint64  t_max;
  guint   x_min;
  guint   x_max;
  guint   y_min;
  guint   y_max;
  guint64 sum_t;      /* modulo 2^64 */
  guint64 sum_x;
  guint64 sum_y;
  gboolean monotonic;
} EvsTestSummary;

char          *evs_test_fixture          (const char          *relative_path);
EvsEventChunk *evs_test_read_all         (const char          *path,
                                          gsize                chunk_capacity,
                                          GError             **error);
EvsEventChunk *evs_test_read_reader      (EvsReader           *reader,
                                          gsize                chunk_capacity,
                                          GError             **error);
void           evs_test_summarize        (const EvsEventChunk *events,
                                          EvsTestSummary      *summary);
void           evs_test_assert_event     (const EvsEventChunk *events,
                                          gsize                i,
                                          gint64               t,
                                          guint                x,
                                          guint                y,
                                          guint                p);
void           evs_test_assert_chunks_equal (const EvsEventChunk *a,
                                             gsize                a_start,
                                             const EvsEventChunk *b,
                                             gsize                b_start,
                                             gsize                n);
void           evs_test_check_seek       (const char          *path,
                                          guint                n_targets);
void           evs_test_check_damaged    (const char          *path,
                                          guint                n_truncations,
                                          guint                n_flips);
EvsEventChunk *evs_test_apply_pipeline   (const EvsEventChunk *all,
                                          EvsPipeline         *pipeline,
                                          gint64               start_us,
                                          gint64               end_us);
char          *evs_test_make_tmp_dir     (void);
void           evs_test_remove_tree      (const char          *dir);

G_END_DECLS
