"""What serves the lessons but teaches no maths.

The lessons (01_single_neuron.py ... 05_train_mnist.py) hold the ideas; this package holds the
machinery around them, one module a job, each readable on its own:

    lessons         how a lesson imports what an earlier lesson taught (from_lesson)
    arguments       the command line every lesson shares: the parser, the types of its values
    lifecycle       running a lesson as a script: exit status, one-line errors, Ctrl-C and signals
    preflight       checking before the work that the output folders and files can be written
    figures         pyplot without a display, and saving figures as PNG files
    plane_figures   lesson 04b's figures: the loss, and the decision boundary in the plane
    mnist_figures   lesson 05's figures: training curves, each layer's speed, the confusion
                    matrix, the digits it got wrong, the first layer's weights
    verdicts        lessons 04a and 04b: how a run ended, read from its numbers and put in words
    idx             the IDX file format of MNIST, and checking a file by its size and SHA-256
    download        fetching a file from a list of mirrors, verified before it gets its name
    mnist           the four MNIST files: where they are, downloading what is missing, loading them;
                    MNIST's geometry (IMAGE_SHAPE, N_CLASSES)
    model_file      saving a trained network, and loading one without trusting the file
    images          reading a picture file as grey levels
    own_digits      lesson 05's --predict and --draw: your own digits read by the network
    prepare_digit   preparing a picture of a digit the way MNIST was made
    draw_pad        the window --draw opens: a canvas to draw on, the ten outputs beside it
    threads         one BLAS thread for NumPy's matrix products, asked for before NumPy loads
"""
