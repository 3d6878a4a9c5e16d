/* evs-roi-filter.c
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

#define G_LOG_DOMAIN "evs-roi-filter"

#include "config.h"

#include "evs-roi-filter.h"
#include "evs-error.h"

#include <string.h>

/* Keeps the events inside any of the rectangles (bounds inclusive), or
 * outside all of them with invert.  Without rectangles it keeps everything. */

struct _EvsRoiFilter
{
  EvsFilter parent_instance;
  GArray   *rects;
  gboolean  invert;
};

enum {
  PROP_0,
  PROP_RECTS,
  PROP_INVERT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsRoiFilter, evs_roi_filter, EVS_TYPE_FILTER)

/* @masked: AND into @keep (refine) instead of setting it (process); one
 * copy of the loops, specialised for each by inlining */
static inline __attribute__ ((always_inline)) void
roi_run (EvsRoiFilter        *self,
         const EvsEventChunk *chunk,
         guint8              *keep,
         gboolean             masked)
{
  const guint16 *x = chunk->x;
  const guint16 *y = chunk->y;
  const EvsRoiRect *r = (const EvsRoiRect *) self->rects->data;
  guint n_rects = self->rects->len;
  guint8 inv = self->invert ? 1 : 0;
  gsize n = chunk->n_events;

  if (n_rects == 0)
    {
      if (!masked)
        memset (keep, 1, n);
      return;
    }

  if (n_rects == 1)
    {
      const guint16 x0 = r->x_min, x1 = r->x_max, y0 = r->y_min, y1 = r->y_max;

      for (gsize i = 0; i < n; i++)
        keep[i] = (masked ? keep[i] : 1)
                  & (((x[i] >= x0) & (x[i] <= x1) & (y[i] >= y0) & (y[i] <= y1)) ^ inv);
      return;
    }

  for (gsize i = 0; i < n; i++)
    {
      guint8 in = 0;

      for (guint j = 0; j < n_rects; j++)
        in |= (x[i] >= r[j].x_min) & (x[i] <= r[j].x_max)
              & (y[i] >= r[j].y_min) & (y[i] <= r[j].y_max);
      keep[i] = (masked ? keep[i] : 1) & (in ^ inv);
    }
}

/* the one-rectangle loops vectorise; AVX2 where the CPU has it */
__attribute__ ((target_clones ("avx2", "default")))
static void
evs_roi_filter_process (EvsFilter           *filter,
                        const EvsEventChunk *chunk,
                        guint8              *keep)
{
  roi_run ((EvsRoiFilter *) filter, chunk, keep, FALSE);
}

__attribute__ ((target_clones ("avx2", "default")))
static gboolean
evs_roi_filter_refine (EvsFilter           *filter,
                       const EvsEventChunk *chunk,
                       guint8              *keep)
{
  roi_run ((EvsRoiFilter *) filter, chunk, keep, TRUE);
  return TRUE;
}

static GVariant *
rects_to_variant (EvsRoiFilter *self)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(qqqq)"));
  for (guint i = 0; i < self->rects->len; i++)
    {
      const EvsRoiRect *r = &g_array_index (self->rects, EvsRoiRect, i);

      g_variant_builder_add (&builder, "(qqqq)", r->x_min, r->x_max, r->y_min, r->y_max);
    }
  return g_variant_builder_end (&builder);
}

static void
set_rects_from_variant (EvsRoiFilter *self,
                        GVariant     *variant)
{
  GVariantIter iter;
  EvsRoiRect r;

  g_array_set_size (self->rects, 0);
  if (variant == NULL)
    return;
  g_variant_iter_init (&iter, variant);
  while (g_variant_iter_next (&iter, "(qqqq)", &r.x_min, &r.x_max, &r.y_min, &r.y_max))
    {
      if (r.x_min <= r.x_max && r.y_min <= r.y_max)
        g_array_append_val (self->rects, r);
    }
}

static void
evs_roi_filter_to_json (EvsFilter   *filter,
                        JsonBuilder *builder)
{
  EvsRoiFilter *self = (EvsRoiFilter *) filter;

  json_builder_set_member_name (builder, "rects");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->rects->len; i++)
    {
      const EvsRoiRect *r = &g_array_index (self->rects, EvsRoiRect, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "x_min");
      json_builder_add_int_value (builder, r->x_min);
      json_builder_set_member_name (builder, "x_max");
      json_builder_add_int_value (builder, r->x_max);
      json_builder_set_member_name (builder, "y_min");
      json_builder_add_int_value (builder, r->y_min);
      json_builder_set_member_name (builder, "y_max");
      json_builder_add_int_value (builder, r->y_max);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  EVS_FILTER_CLASS (evs_roi_filter_parent_class)->to_json (filter, builder);
}

static gboolean
evs_roi_filter_set_json_member (EvsFilter   *filter,
                                const char  *key,
                                JsonNode    *node,
                                const char  *base_dir,
                                GError     **error)
{
  EvsRoiFilter *self = (EvsRoiFilter *) filter;
  static const char * const names[] = { "x_min", "x_max", "y_min", "y_max" };
  g_autoptr(GArray) rects = NULL;
  JsonArray *array;

  if (!g_str_equal (key, "rects"))
    return EVS_FILTER_CLASS (evs_roi_filter_parent_class)->set_json_member (filter, key, node,
                                                                            base_dir, error);

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "key “rects”: expected an array of rectangles");
      return FALSE;
    }

  rects = g_array_new (FALSE, FALSE, sizeof (EvsRoiRect));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autoptr(GList) members = NULL;
      JsonObject *obj;
      gint64 v[4];
      EvsRoiRect r;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "key “rects”: rectangle %u is not an object", i);
          return FALSE;
        }
      obj = json_node_get_object (item);
      members = json_object_get_members (obj);
      for (GList *l = members; l != NULL; l = l->next)
        {
          if (!g_strv_contains (names, l->data))
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                           "key “rects”: rectangle %u: unknown key “%s”", i,
                           (const char *) l->data);
              return FALSE;
            }
        }
      for (guint k = 0; k < 4; k++)
        {
          JsonNode *m = json_object_get_member (obj, names[k]);

          if (m == NULL || !JSON_NODE_HOLDS_VALUE (m)
              || json_node_get_value_type (m) != G_TYPE_INT64)
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                           "key “rects”: rectangle %u: “%s” must be an integer", i, names[k]);
              return FALSE;
            }
          v[k] = json_node_get_int (m);
          if (v[k] < 0 || v[k] > G_MAXUINT16)
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                           "key “rects”: rectangle %u: “%s” = %" G_GINT64_FORMAT
                           " is out of range [0, 65535]", i, names[k], v[k]);
              return FALSE;
            }
        }
      if (v[0] > v[1] || v[2] > v[3])
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "key “rects”: rectangle %u: minimum above maximum", i);
          return FALSE;
        }
      r.x_min = v[0];
      r.x_max = v[1];
      r.y_min = v[2];
      r.y_max = v[3];
      g_array_append_val (rects, r);
    }

  g_array_set_size (self->rects, 0);
  g_array_append_vals (self->rects, rects->data, rects->len);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECTS]);
  return TRUE;
}

void
evs_roi_filter_add_rect (EvsRoiFilter     *self,
                         const EvsRoiRect *rect)
{
  g_return_if_fail (EVS_IS_ROI_FILTER (self));
  g_return_if_fail (rect != NULL);
  g_return_if_fail (rect->x_min <= rect->x_max && rect->y_min <= rect->y_max);

  g_array_append_val (self->rects, *rect);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECTS]);
}

void
evs_roi_filter_clear_rects (EvsRoiFilter *self)
{
  g_return_if_fail (EVS_IS_ROI_FILTER (self));

  if (self->rects->len == 0)
    return;
  g_array_set_size (self->rects, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECTS]);
}

/**
 * evs_roi_filter_get_rects:
 *
 * Returns: (transfer none) (array length=n_rects): the rectangles
 */
const EvsRoiRect *
evs_roi_filter_get_rects (EvsRoiFilter *self,
                          guint        *n_rects)
{
  g_return_val_if_fail (EVS_IS_ROI_FILTER (self), NULL);

  *n_rects = self->rects->len;
  return (const EvsRoiRect *) self->rects->data;
}

static void
evs_roi_filter_finalize (GObject *object)
{
  EvsRoiFilter *self = (EvsRoiFilter *) object;

  g_clear_pointer (&self->rects, g_array_unref);

  G_OBJECT_CLASS (evs_roi_filter_parent_class)->finalize (object);
}

static void
evs_roi_filter_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  EvsRoiFilter *self = EVS_ROI_FILTER (object);

  switch (prop_id)
    {
    case PROP_RECTS:
      g_value_set_variant (value, rects_to_variant (self));
      break;

    case PROP_INVERT:
      g_value_set_boolean (value, self->invert);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_roi_filter_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  EvsRoiFilter *self = EVS_ROI_FILTER (object);

  switch (prop_id)
    {
    case PROP_RECTS:
      set_rects_from_variant (self, g_value_get_variant (value));
      g_object_notify_by_pspec (object, pspec);
      break;

    case PROP_INVERT:
      if (self->invert != g_value_get_boolean (value))
        {
          self->invert = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_roi_filter_class_init (EvsRoiFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsFilterClass *filter_class = EVS_FILTER_CLASS (klass);

  object_class->finalize = evs_roi_filter_finalize;
  object_class->get_property = evs_roi_filter_get_property;
  object_class->set_property = evs_roi_filter_set_property;

  filter_class->type_name = "roi";
  filter_class->process = evs_roi_filter_process;
  filter_class->refine = evs_roi_filter_refine;
  filter_class->to_json = evs_roi_filter_to_json;
  filter_class->set_json_member = evs_roi_filter_set_json_member;

  /* a(qqqq): (x_min, x_max, y_min, y_max), inclusive */
  properties[PROP_RECTS] =
    g_param_spec_variant ("rects", NULL, NULL, G_VARIANT_TYPE ("a(qqqq)"), NULL,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INVERT] =
    g_param_spec_boolean ("invert", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_roi_filter_init (EvsRoiFilter *self)
{
  self->rects = g_array_new (FALSE, FALSE, sizeof (EvsRoiRect));
}

EvsFilter *
evs_roi_filter_new (void)
{
  return g_object_new (EVS_TYPE_ROI_FILTER, NULL);
}
