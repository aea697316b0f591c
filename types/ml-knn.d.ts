declare module 'ml-knn' {
  export default class KNN {
    constructor(dataset: number[][], labels: number[], options?: { k?: number; distance?: (a: number[], b: number[]) => number });
    predict(dataset: number[][]): number[];
    predict(point: number[]): number;
    toJSON(): unknown;
    static load(model: unknown, distance?: (a: number[], b: number[]) => number): KNN;
  }
}
