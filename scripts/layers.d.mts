/** An import from one folder of lib/ to another. */
export interface LayerEdge {
  file: string;
  target: string;
  from: string;
  to: string;
}
/** The folders of lib/, bottom layer first. */
export const LAYERS: string[][];
/** How many upward imports the check allows. */
export const MAX_UPWARD: number;
/** The imports between folders of lib/, those that go upward, the loops, unknown folders. */
export function analyse(): {
  edges: LayerEdge[];
  upward: LayerEdge[];
  loops: string[][];
  unknown: string[];
};
