/**
 * Landmark calibrations: where a detector's 68 landmarks lie on a model's surface. A detector's points are
 * not the model's landmark definition (e.g. the Human detector's 68, derived from its 478-point mesh, sit
 * higher on the brows and wider on the lips than ICT-FaceKit's landmark vertices); fitting the model's own
 * landmark points to them biases the identity. A calibration replaces the embedding of the inner landmarks
 * 17..67 (brows, nose, eyes, mouth) in the landmark term with surface points learned from synthetic renders
 * with known geometry (`@facekit/synth`, seeds disjoint from any evaluation set): per landmark, the point on
 * a triangle near the model's landmark that minimises the squared 2D distance between its true projections
 * and the detector's points over the renders. The jaw contour (0..16) keeps the silhouette search.
 *
 * The reconstruction's `landmarks3d` / `landmarks2d` stay the model's own embedding.
 * @module
 */

/** A detector-to-model landmark calibration. */
export interface LandmarkCalibration {
  detector: string;
  modelId: string;
  /** Vertex count of the model the vertex ids refer to (a safety check). */
  vertexCount: number;
  /** First landmark replaced (17). */
  first: number;
  /** Per replaced landmark: three (model vertex id, barycentric weight) pairs, flattened. */
  points: ReadonlyArray<readonly number[]>;
}

/** Human detector on ICT-FaceKit: learned from 60 renders of `facekit synth --seed 1000`. */
const HUMAN_ICT: LandmarkCalibration = {
  detector: 'human',
  modelId: 'ict-facekit',
  vertexCount: 26719,
  first: 17,
  points: [
    [429, 0.0605, 257, 0.0748, 430, 0.8647], // 17
    [434, 0.4709, 286, 0.0541, 1008, 0.475], // 18
    [481, 0.0567, 1031, 0.2344, 1030, 0.7089], // 19
    [1418, 0.5622, 440, 0.1255, 310, 0.3122], // 20
    [2025, 0.0606, 2005, 0.7971, 2035, 0.1423], // 21
    [4205, 0.6005, 4231, 0.2011, 4234, 0.1984], // 22
    [3632, 0.2641, 2681, 0.3896, 3633, 0.3464], // 23
    [3249, 0.3326, 4114, 0.4726, 3250, 0.1948], // 24
    [3902, 0.285, 2733, 0.1111, 3903, 0.6038], // 25
    [3907, 0.3391, 2673, 0.4519, 3908, 0.2091], // 26
    [977, 0.2366, 1387, 0.0457, 978, 0.7177], // 27
    [1347, 0.1595, 1348, 0.3253, 4527, 0.5152], // 28
    [4624, 0.2723, 4839, 0.367, 4840, 0.3607], // 29
    [4728, 0.2748, 4841, 0.515, 4857, 0.2101], // 30
    [4585, 0.7419, 4579, 0.2581, 4580, 0], // 31
    [71, 0.0085, 2088, 0.8881, 4987, 0.1033], // 32
    [4623, 0.4919, 4920, 0.2558, 4556, 0.2523], // 33
    [5441, 0.0738, 5404, 0.0995, 4270, 0.8267], // 34
    [5081, 0.4122, 5080, 0.2122, 5028, 0.3756], // 35
    [983, 0.1109, 984, 0.6695, 703, 0.2195], // 36
    [1576, 0.0238, 6624, 0.8738, 6618, 0.1023], // 37
    [1931, 0.2685, 6610, 0.4747, 1573, 0.2569], // 38
    [1533, 0.0099, 1532, 0.2396, 1371, 0.7506], // 39
    [1517, 0, 1558, 0.3899, 1557, 0.6101], // 40
    [6604, 0.1405, 1549, 0.5866, 6605, 0.2728], // 41
    [3586, 0.527, 2905, 0.059, 3585, 0.4141], // 42
    [4131, 0, 6568, 0.3944, 6585, 0.6056], // 43
    [3790, 0, 6576, 0.4038, 6582, 0.5962], // 44
    [4136, 0.3914, 3202, 0.0968, 3203, 0.5118], // 45
    [3726, 0, 3766, 0.9903, 3767, 0.0097], // 46
    [3772, 0.8117, 6555, 0.0287, 3773, 0.1596], // 47
    [5920, 0.2055, 5653, 0.2189, 5921, 0.5756], // 48
    [5662, 0.2209, 5720, 0.0911, 5695, 0.688], // 49
    [2082, 0.7788, 118, 0.0136, 161, 0.2076], // 50
    [4541, 0.0564, 400, 0.3086, 2, 0.635], // 51
    [4276, 0.6832, 4265, 0.1304, 4264, 0.1864], // 52
    [2388, 0.1595, 6225, 0.132, 6200, 0.7085], // 53
    [6426, 0.394, 2376, 0.3889, 6158, 0.2171], // 54
    [6357, 0.3187, 6375, 0.5572, 6382, 0.1241], // 55
    [6480, 0.5246, 6507, 0.3571, 6479, 0.1183], // 56
    [5933, 0.1532, 5520, 0.6892, 5518, 0.1577], // 57
    [5976, 0.4435, 5975, 0.4604, 6003, 0.0961], // 58
    [5852, 0.3346, 5877, 0.2858, 5870, 0.3796], // 59
    [6634, 0.0902, 5551, 0.3857, 5562, 0.524], // 60
    [5655, 0.1983, 5682, 0.1254, 5710, 0.6763], // 61
    [5797, 0.0711, 5780, 0.114, 5522, 0.8149], // 62
    [6215, 0.4796, 6544, 0.0128, 6543, 0.5076], // 63
    [6057, 0, 6679, 1, 6670, 0], // 64
    [6485, 0.1668, 6512, 0.8206, 6484, 0.0125], // 65
    [5937, 0.0849, 5516, 0.0226, 5515, 0.8925], // 66
    [5980, 0.25, 6007, 0.0954, 6008, 0.6546], // 67
  ],
};

const CALIBRATIONS: readonly LandmarkCalibration[] = [HUMAN_ICT];

/** The calibration of a detector on a model, if one is known. */
export function landmarkCalibration(detector: string | undefined, modelId: string, vertexCount: number): LandmarkCalibration | undefined {
  if (!detector) return undefined;
  return CALIBRATIONS.find((c) => c.detector === detector && c.modelId === modelId && c.vertexCount === vertexCount);
}
