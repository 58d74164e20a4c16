// Front ends import LexelKit alone: the engines' types (models, options, results) come with it. They call the
// use cases here and never an engine's module directly (tools/check_layers.py).
@_exported import LexelClassifier
@_exported import LexelCluster
@_exported import LexelContainer
@_exported import LexelCore
@_exported import LexelIO
@_exported import LexelKernels
@_exported import LexelLexical
@_exported import LexelStore
@_exported import LexelText
@_exported import LexelTraining
@_exported import LexelVectors
