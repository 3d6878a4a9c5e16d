/* test-dat.c
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

#include "evs-test-utils.h"
#include "evs-ecf.h"

#include <glib/gstdio.h>
#include <string.h>

/* Values from shared/fixtures/real/openeb-converted/README.md */
static void
test_fixture_evt3 (void)
{
  g_autofree char *path = evs_test_fixture ("openeb-converted/evt3_sample.hdf5");
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  const EvsRecordingInfo *info;
  EvsTestSummary s;

  if (path == NULL)
    return;

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  info = evs_reader_get_info (reader);
  g_assert_cmpint (info->format, ==, EVS_FORMAT_PROPHESEE_HDF5);
  g_assert_true (info->geometry_known);
  g_assert_cmpuint (info->width, ==, 1280);
  g_assert_cmpuint (info->height, ==, 720);
  g_assert_cmpstr (evs_recording_info_lookup (info, "format"), ==, "EVT3;height=720;width=1280");

  all = evs_test_read_reader (reader, 1000, &error);
  g_assert_no_error (error);
  evs_test_summarize (all, &s);
  g_assert_cmpuint (s.n_events, ==, 219596);
  g_assert_cmpint (s.t_min, ==, 4096);
  g_assert_cmpint (s.t_max, ==, 12897);
  g_assert_cmpuint (s.n_on, ==, 115532);
  g_assert_cmpuint (s.n_off, ==, 104064);
  g_assert_cmpuint (s.sum_x, ==, 159113225);
  g_assert_cmpuint (s.sum_y, ==, 85638051);
  g_assert_cmpuint (s.sum_t, ==, 1854382707);
  evs_test_assert_event (all, 0, 4096, 874, 200, 0);
  evs_test_assert_event (all, 1, 4096, 806, 200, 1);
  evs_test_assert_event (all, 2, 4096, 882, 201, 0);
  evs_test_assert_event (all, all->n_events - 1, 12897, 1218, 572, 1);
  g_assert_cmpfloat (evs_reader_get_fraction (reader), ==, 1.0);
}

static void
test_fixture_evt2 (void)
{
  g_autofree char *path = evs_test_fixture ("openeb-converted/evt2_sparklers.hdf5");
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  EvsTestSummary s;

  if (path == NULL)
    return;

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (evs_reader_get_format (reader), ==, EVS_FORMAT_PROPHESEE_HDF5);
  g_assert_cmpuint (evs_reader_get_width (reader), ==, 640);
  g_assert_cmpuint (evs_reader_get_height (reader), ==, 480);

  all = evs_test_read_reader (reader, 65536, &error);
  g_assert_no_error (error);
  evs_test_summarize (all, &s);
  g_assert_cmpuint (s.n_events, ==, 521252);
  g_assert_cmpint (s.t_min, ==, 0);
  g_assert_cmpint (s.t_max, ==, 95871);
  g_assert_cmpuint (s.n_on, ==, 185861);
  g_assert_cmpuint (s.n_off, ==, 335391);
  g_assert_cmpuint (s.sum_x, ==, 128979953);
  g_assert_cmpuint (s.sum_y, ==, 216346680);
  g_assert_cmpuint (s.sum_t, ==, 21685464521);
  evs_test_assert_event (all, 0, 0, 35, 443, 1);
  evs_test_assert_event (all, 1, 0, 36, 443, 1);
  evs_test_assert_event (all, 2, 0, 74, 443, 1);
  evs_test_assert_event (all, all->n_events - 1, 95871, 12, 471, 0);
}

/* shared/fixtures/real/dsec-layout/README.md */
static void
test_fixture_dsec (void)
{
  g_autofree char *path = evs_test_fixture ("dsec-layout/sparklers_dsec_events.h5");
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  const gint64 t_offset = 913716224;
  EvsTestSummary s;

  if (path == NULL)
    return;

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (evs_reader_get_format (reader), ==, EVS_FORMAT_DSEC_HDF5);
  g_assert_false (evs_reader_get_info (reader)->geometry_known);

  all = evs_test_read_reader (reader, 4000, &error);
  g_assert_no_error (error);
  evs_test_summarize (all, &s);
  g_assert_cmpuint (s.n_events, ==, 521252);
  g_assert_cmpint (s.t_min, ==, 913716224);
  g_assert_cmpint (s.t_max, ==, 913812095);
  g_assert_cmpuint (s.n_on, ==, 185861);
  g_assert_cmpuint (s.n_off, ==, 335391);
  g_assert_cmpuint (s.sum_x, ==, 128979953);
  g_assert_cmpuint (s.sum_y, ==, 216346680);
  g_assert_cmpuint (s.sum_t - s.n_events * (guint64) t_offset, ==, 21685464521);
  evs_test_assert_event (all, 0, t_offset + 0, 35, 443, 1);
  evs_test_assert_event (all, all->n_events - 1, t_offset + 95871, 12, 471, 0);
}

static void
test_fixture_seek (gconstpointer data)
{
  g_autofree char *path = evs_test_fixture (data);

  if (path == NULL)
    return;
  evs_test_check_seek (path, 30);
}

static void
test_fixture_damaged (gconstpointer data)
{
  g_autofree char *path = evs_test_fixture (data);

  if (path == NULL)
    return;
  evs_test_check_damaged (path, 25, 40);
}

int
main (int    argc,
      char **argv)
{
  static const char *fixtures[] = {
    "openeb-converted/evt3_sample.hdf5",
    "openeb-converted/evt2_sparklers.hdf5",
    "dsec-layout/sparklers_dsec_events.h5",
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/evs/hdf5/fixture/evt3", test_fixture_evt3);
  g_test_add_func ("/evs/hdf5/fixture/evt2", test_fixture_evt2);
  g_test_add_func ("/evs/hdf5/fixture/dsec", test_fixture_dsec);
  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *seek = g_strdup_printf ("/evs/hdf5/seek/%s", fixtures[i]);
      g_autofree char *damaged = g_strdup_printf ("/evs/hdf5/damaged/%s", fixtures[i]);

      g_test_add_data_func (seek, fixtures[i], test_fixture_seek);
      g_test_add_data_func (damaged, fixtures[i], test_fixture_damaged);
    }

  return g_test_run ();
}
