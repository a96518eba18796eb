/** The key of a layer weight in a tensor record: `<layer name>/<weight suffix>`. */
export const weightKey = (layer: string, suffix: string): string => `${layer}/${suffix}`
