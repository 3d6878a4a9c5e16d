/* evs-filter.c
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

#define G_LOG_DOMAIN "evs-filter"

#include "config.h"

#include "evs-filter-private.h"
#include "evs-filters.h"
#include "evs-error.h"

#include <math.h>
#include <string.h>

typedef struct
{
  guint    width;
  guint    height;
  gboolean enabled;
  const EvsChunkFacts *facts;
} EvsFilterPrivate;

enum {
  PROP_0,
  PROP_ENABLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (EvsFilter, evs_filter, G_TYPE_OBJECT)

static const char * const type_names[] = {
  "time",
  "roi",
  "polarity",
  "hot_pixels",
  "refractory",
  "background_activity",
  "stcf",
  "activity",
  "duplicates",
  "monotonic",
  NULL
};

static GType
type_for_name (const char *name)
{
  if (g_strcmp0 (name, "time") == 0)
    return EVS_TYPE_TIME_FILTER;
  if (g_strcmp0 (name, "roi") == 0)
    return EVS_TYPE_ROI_FILTER;
  if (g_strcmp0 (name, "polarity") == 0)
    return EVS_TYPE_POLARITY_FILTER;
  if (g_strcmp0 (name, "hot_pixels") == 0)
    return EVS_TYPE_HOT_PIXELS_FILTER;
  if (g_strcmp0 (name, "refractory") == 0)
    return EVS_TYPE_REFRACTORY_FILTER;
  if (g_strcmp0 (name, "background_activity") == 0)
    return EVS_TYPE_BACKGROUND_ACTIVITY_FILTER;
  if (g_strcmp0 (name, "stcf") == 0)
    return EVS_TYPE_STCF_FILTER;
  if (g_strcmp0 (name, "activity") == 0)
    return EVS_TYPE_ACTIVITY_FILTER;
  if (g_strcmp0 (name, "duplicates") == 0)
    return EVS_TYPE_DUPLICATES_FILTER;
  if (g_strcmp0 (name, "monotonic") == 0)
    return EVS_TYPE_MONOTONIC_FILTER;
  return G_TYPE_INVALID;
}

/**
 * evs_filter_list_type_names:
 *
 * Returns: (transfer none): the JSON type names of every filter, in the
 *   order the GUI offers them
 */
const char * const *
evs_filter_list_type_names (void)
{
  return type_names;
}

static char *
key_to_property_name (const char *key)
{
  char *name = g_strdup (key);

  g_strdelimit (name, "_", '-');
  return name;
}

static char *
property_name_to_key (const char *name)
{
  char *key = g_strdup (name);

  g_strdelimit (key, "-", '_');
  return key;
}

static gboolean
is_parameter (GParamSpec *pspec)
{
  return pspec->owner_type != EVS_TYPE_FILTER
         && (pspec->flags & G_PARAM_READWRITE) == G_PARAM_READWRITE
         && (pspec->flags & G_PARAM_CONSTRUCT_ONLY) == 0;
}

static void
evs_filter_real_to_json (EvsFilter   *self,
                         JsonBuilder *builder)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs = 0;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      GParamSpec *pspec = pspecs[i];
      g_auto(GValue) value = G_VALUE_INIT;
      g_autofree char *key = NULL;
      GType vtype = G_PARAM_SPEC_VALUE_TYPE (pspec);

      if (!is_parameter (pspec))
        continue;

      g_value_init (&value, vtype);
      g_object_get_property (G_OBJECT (self), pspec->name, &value);
      key = property_name_to_key (pspec->name);

      if (vtype == G_TYPE_BOOLEAN)
        {
          json_builder_set_member_name (builder, key);
          json_builder_add_boolean_value (builder, g_value_get_boolean (&value));
        }
      else if (vtype == G_TYPE_INT64)
        {
          json_builder_set_member_name (builder, key);
          json_builder_add_int_value (builder, g_value_get_int64 (&value));
        }
      else if (vtype == G_TYPE_UINT)
        {
          json_builder_set_member_name (builder, key);
          json_builder_add_int_value (builder, g_value_get_uint (&value));
        }
      else if (vtype == G_TYPE_INT)
        {
          json_builder_set_member_name (builder, key);
          json_builder_add_int_value (builder, g_value_get_int (&value));
        }
      else if (vtype == G_TYPE_DOUBLE)
        {
          json_builder_set_member_name (builder, key);
          json_builder_add_double_value (builder, g_value_get_double (&value));
        }
      else if (G_TYPE_IS_ENUM (vtype))
        {
          GEnumClass *eclass = g_type_class_peek (vtype);
          GEnumValue *ev = g_enum_get_value (eclass, g_value_get_enum (&value));

          json_builder_set_member_name (builder, key);
          json_builder_add_string_value (builder, ev != NULL ? ev->value_nick : "");
        }
      else if (vtype == G_TYPE_STRING)
        {
          if (g_value_get_string (&value) != NULL)
            {
              json_builder_set_member_name (builder, key);
              json_builder_add_string_value (builder, g_value_get_string (&value));
            }
        }
    }
}

static gboolean
json_to_int64 (JsonNode *node,
               gint64   *out)
{
  GType t;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  t = json_node_get_value_type (node);
  if (t == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  if (t == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (d != floor (d) || d < -9.2e18 || d > 9.2e18)
        return FALSE;
      *out = (gint64) d;
      return TRUE;
    }
  return FALSE;
}

static gboolean
evs_filter_real_set_json_member (EvsFilter   *self,
                                 const char  *key,
                                 JsonNode    *node,
                                 const char  *base_dir,
                                 GError     **error)
{
  g_autofree char *name = key_to_property_name (key);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), name);
  g_auto(GValue) value = G_VALUE_INIT;
  GType vtype;

  if (pspec == NULL || !is_parameter (pspec) || strchr (key, '-') != NULL)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT, "unknown key “%s”", key);
      return FALSE;
    }

  vtype = G_PARAM_SPEC_VALUE_TYPE (pspec);
  g_value_init (&value, vtype);

  if (vtype == G_TYPE_BOOLEAN)
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        goto bad_type;
      g_value_set_boolean (&value, json_node_get_boolean (node));
    }
  else if (vtype == G_TYPE_INT64 || vtype == G_TYPE_UINT || vtype == G_TYPE_INT)
    {
      gint64 v, lo, hi;

      if (!json_to_int64 (node, &v))
        goto bad_type;
      if (vtype == G_TYPE_INT64)
        {
          lo = G_PARAM_SPEC_INT64 (pspec)->minimum;
          hi = G_PARAM_SPEC_INT64 (pspec)->maximum;
        }
      else if (vtype == G_TYPE_UINT)
        {
          lo = G_PARAM_SPEC_UINT (pspec)->minimum;
          hi = G_PARAM_SPEC_UINT (pspec)->maximum;
        }
      else
        {
          lo = G_PARAM_SPEC_INT (pspec)->minimum;
          hi = G_PARAM_SPEC_INT (pspec)->maximum;
        }
      if (v < lo || v > hi)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "key “%s”: %" G_GINT64_FORMAT " is out of range [%" G_GINT64_FORMAT
                       ", %" G_GINT64_FORMAT "]", key, v, lo, hi);
          return FALSE;
        }
      if (vtype == G_TYPE_INT64)
        g_value_set_int64 (&value, v);
      else if (vtype == G_TYPE_UINT)
        g_value_set_uint (&value, (guint) v);
      else
        g_value_set_int (&value, (int) v);
    }
  else if (vtype == G_TYPE_DOUBLE)
    {
      GParamSpecDouble *dspec = G_PARAM_SPEC_DOUBLE (pspec);
      double d;

      if (!JSON_NODE_HOLDS_VALUE (node)
          || (json_node_get_value_type (node) != G_TYPE_DOUBLE
              && json_node_get_value_type (node) != G_TYPE_INT64))
        goto bad_type;
      d = json_node_get_double (node);
      if (!(d >= dspec->minimum && d <= dspec->maximum))
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "key “%s”: %g is out of range [%g, %g]", key, d,
                       dspec->minimum, dspec->maximum);
          return FALSE;
        }
      g_value_set_double (&value, d);
    }
  else if (G_TYPE_IS_ENUM (vtype))
    {
      GEnumClass *eclass = g_type_class_peek (vtype);
      GEnumValue *ev;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        goto bad_type;
      ev = g_enum_get_value_by_nick (eclass, json_node_get_string (node));
      if (ev == NULL)
        {
          g_autoptr(GString) allowed = g_string_new (NULL);

          for (guint i = 0; i < eclass->n_values; i++)
            g_string_append_printf (allowed, "%s“%s”", i > 0 ? ", " : "",
                                    eclass->values[i].value_nick);
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "key “%s”: “%s” is not one of %s", key,
                       json_node_get_string (node), allowed->str);
          return FALSE;
        }
      g_value_set_enum (&value, ev->value);
    }
  else if (vtype == G_TYPE_STRING)
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        goto bad_type;
      g_value_set_string (&value, json_node_get_string (node));
    }
  else
    goto bad_type;

  g_object_set_property (G_OBJECT (self), pspec->name, &value);
  return TRUE;

bad_type:
  g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
               "key “%s”: expected %s", key,
               vtype == G_TYPE_BOOLEAN ? "true or false"
               : vtype == G_TYPE_DOUBLE ? "a number"
               : G_TYPE_IS_ENUM (vtype) || vtype == G_TYPE_STRING ? "a string"
               : "an integer");
  return FALSE;
}

static void
evs_filter_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  EvsFilter *self = EVS_FILTER (object);
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ENABLED:
      g_value_set_boolean (value, priv->enabled);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_filter_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  EvsFilter *self = EVS_FILTER (object);

  switch (prop_id)
    {
    case PROP_ENABLED:
      evs_filter_set_enabled (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_filter_class_init (EvsFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = evs_filter_get_property;
  object_class->set_property = evs_filter_set_property;

  klass->to_json = evs_filter_real_to_json;
  klass->set_json_member = evs_filter_real_set_json_member;

  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_filter_init (EvsFilter *self)
{
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);

  priv->enabled = TRUE;
}

const char *
evs_filter_get_type_name (EvsFilter *self)
{
  g_return_val_if_fail (EVS_IS_FILTER (self), NULL);

  return EVS_FILTER_GET_CLASS (self)->type_name;
}

gboolean
evs_filter_get_enabled (EvsFilter *self)
{
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);

  g_return_val_if_fail (EVS_IS_FILTER (self), FALSE);

  return priv->enabled;
}

void
evs_filter_set_enabled (EvsFilter *self,
                        gboolean   enabled)
{
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);

  g_return_if_fail (EVS_IS_FILTER (self));

  enabled = !!enabled;
  if (priv->enabled == enabled)
    return;
  priv->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

/**
 * evs_filter_set_geometry:
 *
 * Tells the filter the sensor size so that per-pixel state is allocated once.
 * It is a hint: state grows when events lie outside it.
 */
void
evs_filter_set_geometry (EvsFilter *self,
                         guint      width,
                         guint      height)
{
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);

  g_return_if_fail (EVS_IS_FILTER (self));

  priv->width = MIN (width, 65536);
  priv->height = MIN (height, 65536);
}

guint
evs_filter_get_width (EvsFilter *self)
{
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);

  return priv->width;
}

guint
evs_filter_get_height (EvsFilter *self)
{
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);

  return priv->height;
}

/**
 * evs_filter_process:
 * @keep: (out caller-allocates): one byte per event of @chunk
 *
 * Runs the filter on a chunk.  A disabled filter keeps everything (and does
 * not update its state).
 */
void
evs_filter_process (EvsFilter           *self,
                    const EvsEventChunk *chunk,
                    guint8              *keep)
{
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);

  g_return_if_fail (EVS_IS_FILTER (self));
  g_return_if_fail (chunk != NULL);

  if (chunk->n_events == 0)
    return;
  if (!priv->enabled)
    {
      memset (keep, 1, chunk->n_events);
      return;
    }
  EVS_FILTER_GET_CLASS (self)->process (self, chunk, keep);
}

/*
 * _evs_filter_refine:
 * @keep: (inout): one byte per event of @chunk, 1 for the events that reach
 *   this filter
 *
 * Runs the filter on the events of @chunk marked in @keep, clearing the
 * marks of those it drops (see EvsFilterClass.refine).  A disabled filter
 * keeps them all.
 *
 * Returns: %FALSE when the filter cannot refine a mask (then run
 *   evs_filter_process() on the compacted chunk)
 */
gboolean
_evs_filter_refine (EvsFilter           *self,
                    const EvsEventChunk *chunk,
                    guint8              *keep)
{
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);
  EvsFilterClass *klass = EVS_FILTER_GET_CLASS (self);

  if (!priv->enabled || chunk->n_events == 0)
    return TRUE;
  if (klass->refine == NULL)
    return FALSE;
  return klass->refine (self, chunk, keep);
}

/*
 * _evs_filter_set_chunk_facts:
 * @facts: (nullable): what is known of the chunk the next process() or
 *   refine() call gets, or %NULL once it returned
 */
void
_evs_filter_set_chunk_facts (EvsFilter           *self,
                             const EvsChunkFacts *facts)
{
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);

  priv->facts = facts;
}

const EvsChunkFacts *
_evs_filter_get_chunk_facts (EvsFilter *self)
{
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);

  return priv->facts;
}

void
evs_filter_reset (EvsFilter *self)
{
  g_return_if_fail (EVS_IS_FILTER (self));

  if (EVS_FILTER_GET_CLASS (self)->reset != NULL)
    EVS_FILTER_GET_CLASS (self)->reset (self);
}

/**
 * evs_filter_copy:
 *
 * Returns: (transfer full): a new filter with the same parameters (and
 *   learnt masks) but a fresh stream state
 */
EvsFilter *
evs_filter_copy (EvsFilter *self)
{
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);
  g_autofree GParamSpec **pspecs = NULL;
  EvsFilter *copy;
  guint n_pspecs = 0;

  g_return_val_if_fail (EVS_IS_FILTER (self), NULL);

  copy = g_object_new (G_OBJECT_TYPE (self), NULL);
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      if ((pspecs[i]->flags & G_PARAM_READWRITE) != G_PARAM_READWRITE
          || (pspecs[i]->flags & G_PARAM_CONSTRUCT_ONLY) != 0)
        continue;
      g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspecs[i]));
      g_object_get_property (G_OBJECT (self), pspecs[i]->name, &value);
      g_object_set_property (G_OBJECT (copy), pspecs[i]->name, &value);
    }
  evs_filter_set_geometry (copy, priv->width, priv->height);
  if (EVS_FILTER_GET_CLASS (self)->copy_extra != NULL)
    EVS_FILTER_GET_CLASS (self)->copy_extra (self, copy);

  return copy;
}

/**
 * evs_filter_to_json:
 *
 * Returns: (transfer full): the filter as a pipeline JSON object
 */
JsonNode *
evs_filter_to_json (EvsFilter *self)
{
  EvsFilterPrivate *priv = evs_filter_get_instance_private (self);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (EVS_IS_FILTER (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, evs_filter_get_type_name (self));
  if (!priv->enabled)
    {
      json_builder_set_member_name (builder, "enabled");
      json_builder_add_boolean_value (builder, FALSE);
    }
  EVS_FILTER_GET_CLASS (self)->to_json (self, builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * evs_filter_new_for_type_name:
 *
 * Returns: (transfer full): a filter with default parameters
 */
EvsFilter *
evs_filter_new_for_type_name (const char  *type_name,
                              GError     **error)
{
  GType type = type_for_name (type_name);

  if (type == G_TYPE_INVALID)
    {
      g_autofree char *known = g_strjoinv (", ", (char **) type_names);

      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "unknown filter type “%s” (known: %s)", type_name, known);
      return NULL;
    }

  return g_object_new (type, NULL);
}

/**
 * evs_filter_new_from_json:
 * @index: the filter's position in the pipeline, for error messages
 * @base_dir: (nullable): folder against which relative file names
 *   (hot-pixel masks) are resolved
 *
 * Returns: (transfer full): the filter, or %NULL with an error naming the
 *   filter's index, type and the offending key
 */
EvsFilter *
evs_filter_new_from_json (JsonNode    *node,
                          guint        index,
                          const char  *base_dir,
                          GError     **error)
{
  g_autoptr(EvsFilter) filter = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *obj;
  JsonNode *type_node;
  const char *type_name;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "filter %u: expected an object", index);
      return NULL;
    }
  obj = json_node_get_object (node);
  type_node = json_object_get_member (obj, "type");
  if (type_node == NULL || !JSON_NODE_HOLDS_VALUE (type_node)
      || json_node_get_value_type (type_node) != G_TYPE_STRING)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "filter %u: missing string key “type”", index);
      return NULL;
    }
  type_name = json_node_get_string (type_node);
  filter = evs_filter_new_for_type_name (type_name, &local_error);
  if (filter == NULL)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "filter %u: %s", index, local_error->message);
      return NULL;
    }

  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *member = json_object_get_member (obj, key);

      if (g_str_equal (key, "type"))
        continue;
      if (g_str_equal (key, "enabled"))
        {
          if (!JSON_NODE_HOLDS_VALUE (member)
              || json_node_get_value_type (member) != G_TYPE_BOOLEAN)
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                           "filter %u (%s): key “enabled”: expected true or false",
                           index, type_name);
              return NULL;
            }
          evs_filter_set_enabled (filter, json_node_get_boolean (member));
          continue;
        }
      if (!EVS_FILTER_GET_CLASS (filter)->set_json_member (filter, key, member, base_dir,
                                                           &local_error))
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "filter %u (%s): %s", index, type_name, local_error->message);
          return NULL;
        }
    }

  if (EVS_FILTER_GET_CLASS (filter)->check != NULL
      && !EVS_FILTER_GET_CLASS (filter)->check (filter, &local_error))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "filter %u (%s): %s", index, type_name, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&filter);
}

/**
 * evs_filter_set_param_from_string:
 * @key: a JSON key, like `window_us`
 * @value: its value as text (a number, true/false, or a string)
 *
 * Sets one parameter with the same checks as JSON loading (used by parameter
 * sweeps on the command line).
 */
gboolean
evs_filter_set_param_from_string (EvsFilter   *self,
                                  const char  *key,
                                  const char  *value,
                                  GError     **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;
  char *end = NULL;
  double d;

  g_return_val_if_fail (EVS_IS_FILTER (self), FALSE);

  d = g_ascii_strtod (value, &end);
  if (end != value && *end == '\0')
    {
      node = json_node_new (JSON_NODE_VALUE);
      if (d == floor (d) && fabs (d) < 9e18 && strpbrk (value, ".eE") == NULL)
        json_node_set_int (node, (gint64) d);
      else
        json_node_set_double (node, d);
    }
  else if (g_str_equal (value, "true") || g_str_equal (value, "false"))
    {
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, g_str_equal (value, "true"));
    }
  else
    {
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, value);
    }

  if (g_str_equal (key, "enabled"))
    {
      if (json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "%s: key “enabled”: expected true or false", evs_filter_get_type_name (self));
          return FALSE;
        }
      evs_filter_set_enabled (self, json_node_get_boolean (node));
      return TRUE;
    }

  if (!EVS_FILTER_GET_CLASS (self)->set_json_member (self, key, node, NULL, &local_error)
      || (EVS_FILTER_GET_CLASS (self)->check != NULL
          && !EVS_FILTER_GET_CLASS (self)->check (self, &local_error)))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT, "%s: %s",
                   evs_filter_get_type_name (self), local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Per-pixel helpers */

void
_evs_chunk_max_xy (const EvsEventChunk *chunk,
                   guint               *max_x,
                   guint               *max_y)
{
  guint16 mx = 0, my = 0;
  const guint16 *x = chunk->x;
  const guint16 *y = chunk->y;
  gsize n = chunk->n_events;

  for (gsize i = 0; i < n; i++)
    {
      mx = MAX (mx, x[i]);
      my = MAX (my, y[i]);
    }
  *max_x = mx;
  *max_y = my;
}

void
_evs_pixel_times_init (EvsPixelTimes *pt,
                       guint          layers)
{
  memset (pt, 0, sizeof *pt);
  pt->layers = layers;
}

void
_evs_pixel_times_clear (EvsPixelTimes *pt)
{
  g_clear_pointer (&pt->ts, g_free);
  pt->width = pt->height = 0;
  pt->row = 0;
  pt->has_base = FALSE;
}

void
_evs_pixel_times_reset (EvsPixelTimes *pt)
{
  if (pt->ts != NULL)
    memset (pt->ts, 0, (gsize) (pt->height + 2) * pt->row * sizeof (guint32));
  pt->has_base = FALSE;
}

static void
pixel_times_grow (EvsPixelTimes *pt,
                  guint          width,
                  guint          height)
{
  gsize row = (gsize) (width + 2) * pt->layers;
  /* 4 spare elements: SIMD code loads 4 values from x - 1 */
  guint32 *ts = g_new0 (guint32, (gsize) (height + 2) * row + 4);

  if (pt->ts != NULL)
    {
      for (guint y = 0; y < pt->height + 2; y++)
        memcpy (ts + y * row, pt->ts + y * pt->row, pt->row * sizeof (guint32));
      g_free (pt->ts);
    }
  pt->ts = ts;
  pt->width = width;
  pt->height = height;
  pt->row = row;
}

/* One pass over a chunk: time range and largest coordinates.  Built for
 * AVX2 too (chosen at run time), where 64-bit min/max vectorise. */
__attribute__ ((target_clones ("avx2", "default"), optimize ("O3")))
void
_evs_chunk_extent (const gint64  *t,
                   const guint16 *x,
                   const guint16 *y,
                   gsize          n,
                   gint64        *tmin_out,
                   gint64        *tmax_out,
                   guint         *max_x_out,
                   guint         *max_y_out)
{
  gint64 tmin = G_MAXINT64, tmax = G_MININT64;
  guint16 mx = 0, my = 0;

  for (gsize i = 0; i < n; i++)
    {
      tmin = t[i] < tmin ? t[i] : tmin;
      tmax = t[i] > tmax ? t[i] : tmax;
      mx = x[i] > mx ? x[i] : mx;
      my = y[i] > my ? y[i] : my;
    }
  *tmin_out = tmin;
  *tmax_out = tmax;
  *max_x_out = mx;
  *max_y_out = my;
}

/*
 * Makes sure the state covers every pixel of events [@start, n) of @chunk
 * and that the times of events [@start, end) map into [2^30, 2^32) relative
 * to the base, where end is returned: the end of the chunk unless its times
 * span more than 2^31 µs (a gap of more than 35 minutes), in which case the
 * caller processes the chunk in several segments.
 */
gsize
_evs_pixel_times_prepare (EvsPixelTimes       *pt,
                          EvsFilter           *filter,
                          const EvsEventChunk *chunk,
                          gsize                start)
{
  const gint64 *t = chunk->t;
  gsize n = chunk->n_events;
  gsize end = n;
  const EvsChunkFacts *facts;
  gint64 tmin, tmax;
  guint max_x, max_y;
  const gint64 floor_ = (gint64) EVS_PIXEL_TIMES_FLOOR;
  const gint64 top = (gint64) G_MAXUINT32;
  const gint64 limit = G_GINT64_CONSTANT (1) << 31;

  if (start >= n)
    return n;

  facts = _evs_filter_get_chunk_facts (filter);
  if (facts != NULL && facts->sorted)
    {
      /* Known from the reader: no need to read the chunk again */
      tmin = t[start];
      tmax = t[n - 1];
      max_x = facts->max_x;
      max_y = facts->max_y;
    }
  else
    _evs_chunk_extent (t + start, chunk->x + start, chunk->y + start, n - start, &tmin, &tmax,
                       &max_x, &max_y);

  if (pt->ts == NULL || max_x >= pt->width || max_y >= pt->height)
    {
      guint w = MAX (MAX (max_x + 1, pt->width), evs_filter_get_width (filter));
      guint h = MAX (MAX (max_y + 1, pt->height), evs_filter_get_height (filter));

      pixel_times_grow (pt, w, h);
    }

  if (tmax - tmin > limit || tmax - tmin < 0)
    {
      /* Rare: the longest prefix that fits */
      tmin = tmax = t[start];
      for (end = start + 1; end < n; end++)
        {
          gint64 lo = MIN (tmin, t[end]), hi = MAX (tmax, t[end]);

          if (hi - lo > limit || hi - lo < 0)
            break;
          tmin = lo;
          tmax = hi;
        }
    }

  if (!pt->has_base)
    {
      pt->base = tmin - floor_;
      pt->has_base = TRUE;
    }

  if (tmax - pt->base > top || tmin - pt->base < floor_)
    {
      gint64 new_base = tmin - floor_;
      gint64 delta = new_base - pt->base;
      gsize total = (gsize) (pt->height + 2) * pt->row;
      guint32 *ts = pt->ts;

      if (delta > 0)
        {
          for (gsize i = 0; i < total; i++)
            ts[i] = (gint64) ts[i] > delta ? (guint32) (ts[i] - delta) : 0;
        }
      else
        {
          for (gsize i = 0; i < total; i++)
            {
              gint64 v = (gint64) ts[i] - delta;

              ts[i] = ts[i] == 0 ? 0 : (guint32) MIN (v, top);
            }
        }
      pt->base = new_base;
    }

  return end;
}

void
_evs_pixel_grid_ensure (EvsPixelGrid *grid,
                        gsize         elem_size,
                        guint         width,
                        guint         height)
{
  guint8 *data;

  if (grid->data != NULL && width <= grid->width && height <= grid->height)
    return;
  width = MAX (width, grid->width);
  height = MAX (height, grid->height);
  data = g_malloc0 ((gsize) width * height * elem_size);
  if (grid->data != NULL)
    {
      for (guint y = 0; y < grid->height; y++)
        memcpy (data + (gsize) y * width * elem_size,
                (guint8 *) grid->data + (gsize) y * grid->width * elem_size,
                grid->width * elem_size);
      g_free (grid->data);
    }
  grid->data = data;
  grid->width = width;
  grid->height = height;
  grid->elem_size = elem_size;
}

void
_evs_pixel_grid_clear (EvsPixelGrid *grid)
{
  g_clear_pointer (&grid->data, g_free);
  grid->width = grid->height = 0;
}
